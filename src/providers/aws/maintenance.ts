/**
 * The maintenance page on an ALB: one listener rule on the live listener at
 * provider.aws.maintenancePriority (default 1, evaluated first) matching every path, with a
 * fixed-response action. The default action (the weighted split) is never touched, so deleting
 * the rule routes exactly as before. The rule's action holds status, content type and body;
 * its tags say who turned it on and when. ALB fixed responses carry no custom headers (no
 * Retry-After) and at most 1024 characters of body in one of five content types.
 */
import { providerError, usageError } from '../../core/errors.ts'
import type { MaintenanceState } from '../types.ts'
import { call, isAwsError } from './clients.ts'
import type { AwsContext } from './context.ts'
import { deleteRule, listenerRules } from './listeners.ts'
import { fromTags, TAG, toTags } from './names.ts'
import { baseTags } from './requests.ts'
import type { AwsSettings } from './settings.ts'

const ROLE = 'maintenance'
/** What an ALB fixed response accepts (ContentType), by media type. */
const CONTENT_TYPES = ['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json']
const MAX_BODY = 1024

/** Tag values allow letters, digits, spaces and _ . : / = + - @ only. */
const tagValue = (text: string) =>
  text
    .replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, ' ')
    .replace(/ +/g, ' ')
    .trim()
    .slice(0, 256)

/** The ALB content type for a page, or a usage error saying what an ALB can serve. */
export function albContentType(contentType: string): string {
  const media = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
  if (!CONTENT_TYPES.includes(media))
    throw usageError(`an ALB fixed response cannot have the content type ${contentType}`, {
      hint: `It must be one of ${CONTENT_TYPES.join(', ')}: give a .html, .json or .txt page or --content-type.`,
    })
  return media
}

export function maintenanceRuleInput(settings: AwsSettings, listenerArn: string, state: MaintenanceState) {
  if (state.body.length > MAX_BODY)
    throw usageError(
      `the page has ${state.body.length} characters; an ALB fixed response holds ${MAX_BODY}`,
      {
        hint: 'Shorten the page (e.g. link to a status page instead of inlining it).',
      },
    )
  return {
    ListenerArn: listenerArn,
    Priority: settings.aws.maintenancePriority,
    Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
    Actions: [
      {
        Type: 'fixed-response' as const,
        FixedResponseConfig: {
          StatusCode: String(state.status),
          ContentType: albContentType(state.contentType),
          MessageBody: state.body,
        },
      },
    ],
    Tags: toTags({
      ...baseTags(settings),
      [TAG.role]: ROLE,
      [TAG.maintenanceSince]: state.since,
      [TAG.maintenanceBy]: tagValue(state.by),
    }),
  }
}

type Rule = Awaited<ReturnType<typeof listenerRules>>[number]

/** The rule at maintenancePriority: ours (with its tags), or someone else's (an error), or none. */
async function maintenanceRule(
  aws: AwsContext,
): Promise<{ rule: Rule; tags: Record<string, string> } | undefined> {
  const { elb, elbSdk } = await aws.clients()
  const live = await aws.liveListener()
  const priority = String(aws.settings.aws.maintenancePriority)
  const rule = (await listenerRules(aws, live.arn)).find((r) => r.Priority === priority)
  if (!rule?.RuleArn) return undefined
  const described = await call('DescribeTags (maintenance rule)', () =>
    elb.send(new elbSdk.DescribeTagsCommand({ ResourceArns: [rule.RuleArn as string] })),
  )
  const tags = fromTags(described.TagDescriptions?.[0]?.Tags)
  if (tags[TAG.role] !== ROLE || tags[TAG.target] !== aws.settings.key)
    throw providerError(
      `aws: listener rule priority ${priority} is taken by a rule that is not this target's maintenance rule (${rule.RuleArn})`,
      { hint: 'Reserve another priority for the maintenance page: provider.aws.maintenancePriority.' },
    )
  return { rule, tags }
}

export async function readMaintenance(aws: AwsContext): Promise<MaintenanceState | null> {
  const found = await maintenanceRule(aws)
  if (!found) return null
  const fixed = found.rule.Actions?.find((a) => a.Type === 'fixed-response')?.FixedResponseConfig
  return {
    status: Number(fixed?.StatusCode ?? 0),
    contentType: fixed?.ContentType ?? 'text/plain',
    body: fixed?.MessageBody ?? '',
    since: found.tags[TAG.maintenanceSince] ?? 'unknown',
    by: found.tags[TAG.maintenanceBy] ?? 'unknown',
  }
}

/** Creates the rule, or replaces its action and tags when it is there (another page). */
export async function setMaintenance(aws: AwsContext, state: MaintenanceState | null): Promise<void> {
  const { elb, elbSdk } = await aws.clients()
  const live = await aws.liveListener()
  const input = state ? maintenanceRuleInput(aws.settings, live.arn, state) : undefined
  const found = await maintenanceRule(aws)
  if (!input) {
    if (found?.rule.RuleArn) await deleteRule(aws, found.rule.RuleArn)
    return
  }
  if (found?.rule.RuleArn) {
    const arn = found.rule.RuleArn
    await call('ModifyRule (maintenance)', () =>
      elb.send(
        new elbSdk.ModifyRuleCommand({ RuleArn: arn, Actions: input.Actions, Conditions: input.Conditions }),
      ),
    )
    await call('AddTags (maintenance)', () =>
      elb.send(new elbSdk.AddTagsCommand({ ResourceArns: [arn], Tags: input.Tags })),
    )
    return
  }
  await call('CreateRule (maintenance)', () => elb.send(new elbSdk.CreateRuleCommand(input))).catch(
    (error) => {
      if (isAwsError(error.cause, 'PriorityInUse'))
        throw providerError(`aws: listener rule priority ${aws.settings.aws.maintenancePriority} is taken`, {
          hint: 'Reserve another priority for the maintenance page: provider.aws.maintenancePriority.',
        })
      throw error
    },
  )
}
