/**
 * The default action a listener had before gwdeploy first changed it, kept in a tagged listener
 * rule so `destroy` can put it back; and the check that no other service or env owns the listener.
 */
import { configError, providerError } from '../../core/errors.ts'
import { call } from './clients.ts'
import type { AwsContext } from './context.ts'
import { defaultActions, listenerRules, setDefaultActions } from './listeners.ts'
import { fromTags, TAG } from './names.ts'
import {
  forwardedGroups,
  isNotServing,
  type ListenerAction,
  ORIGINAL_ACTION_ROLE,
  originalActionRuleInput,
  previewActions,
} from './requests.ts'

export class OriginalActions {
  readonly #aws: AwsContext
  /** Listeners whose original default action this process has already recorded (or found ours). */
  readonly #recorded = new Set<string>()

  constructor(aws: AwsContext) {
    this.#aws = aws
  }

  /**
   * Read only: refuses a listener another service or env uses (exit 2), as `record` would, so a
   * preflight can say so before anything is created or retired.
   */
  async check(listenerArn: string, what: string): Promise<void> {
    if (this.#recorded.has(listenerArn)) return
    const aws = this.#aws
    if (!(await originalRule(aws, listenerArn, what)))
      await ownsActions(aws, await defaultActions(aws, listenerArn), what)
  }

  /** Before gwdeploy first changes a listener's default action: keep the original for destroy. */
  async record(listenerArn: string, what: string): Promise<void> {
    if (this.#recorded.has(listenerArn)) return
    const aws = this.#aws
    if (!(await originalRule(aws, listenerArn, what))) {
      const current = await defaultActions(aws, listenerArn)
      if (!(await ownsActions(aws, current, what))) {
        const { elb, elbSdk } = await aws.clients()
        await call(`CreateRule (original default action of the ${what})`, () =>
          elb.send(
            new elbSdk.CreateRuleCommand(
              originalActionRuleInput(aws.settings, listenerArn, current) as ConstructorParameters<
                typeof elbSdk.CreateRuleCommand
              >[0],
            ),
          ),
        )
      }
    }
    this.#recorded.add(listenerArn)
  }

  /**
   * Whether `actions` are the listener's default action from before gwdeploy (what `destroy` puts
   * back), as its record keeps it: read only, false when none is recorded.
   */
  async isOriginal(listenerArn: string, actions: ListenerAction[], what: string): Promise<boolean> {
    const record = await originalRule(this.#aws, listenerArn, what)
    return record !== undefined && sameActions(record.actions, actions)
  }

  /**
   * Puts back the default action gwdeploy recorded, else a fixed 503 if gwdeploy owns the
   * listener, else leaves it (gwdeploy never took it over). Returns the record to delete last.
   */
  async restore(
    listenerArn: string,
    what: string,
    progress: (message: string) => void,
  ): Promise<string | undefined> {
    const aws = this.#aws
    const record = await originalRule(aws, listenerArn, what)
    let actions: unknown[] | undefined
    if (record) {
      progress(`${what}: restoring the default action it had before gwdeploy`)
      actions = record.actions
    } else if (await ownsActions(aws, await defaultActions(aws, listenerArn), what)) {
      progress(`${what}: fixed 503 (no colour serving; its original action was not recorded)`)
      actions = previewActions(undefined)
    }
    if (actions) await setDefaultActions(aws, `ModifyListener (${what})`, listenerArn, actions)
    return record?.arn
  }
}

/** The rule keeping `listenerArn`'s original default action, if gwdeploy recorded one for this target. */
async function originalRule(aws: AwsContext, listenerArn: string, what: string) {
  const { elb, elbSdk } = await aws.clients()
  const priority = String(aws.settings.originalPriority)
  const rule = (await listenerRules(aws, listenerArn)).find((r) => r.Priority === priority)
  if (!rule?.RuleArn) return undefined
  const described = await call('DescribeTags (original action)', () =>
    elb.send(new elbSdk.DescribeTagsCommand({ ResourceArns: [rule.RuleArn as string] })),
  )
  const tags = fromTags(described.TagDescriptions?.[0]?.Tags)
  if (tags[TAG.role] !== ORIGINAL_ACTION_ROLE)
    throw providerError(
      `aws: listener rule priority ${priority} on the ${what} is taken by a rule gwdeploy did not create (${rule.RuleArn})`,
      {
        hint: 'gwdeploy reserves provider.aws.lockPriority and the three priorities below it; choose another lockPriority.',
      },
    )
  if (tags[TAG.target] !== aws.settings.key) throw sharedListener(aws, what, tags[TAG.target] ?? '?')
  return { arn: rule.RuleArn, actions: rule.Actions ?? [] }
}

/** Two action lists alike, whatever order of keys or `Order` numbers AWS answers them with. */
function sameActions(a: unknown[], b: unknown[]): boolean {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .filter(([key, v]) => key !== 'Order' && v !== undefined && v !== null)
              .sort(([x], [y]) => (x < y ? -1 : 1))
              .map(([key, v]) => [key, canonical(v)]),
          )
        : value
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))
}

function sharedListener(aws: AwsContext, what: string, other: string) {
  return configError(`the ${what} is already used by gwdeploy for ${other}, not ${aws.settings.key}`, {
    location: {
      path: what === 'live listener' ? 'provider.aws.listenerArn' : 'provider.aws.testListenerArn',
    },
    hint: 'gwdeploy owns the default action of its listeners: give each service and env its own listener (another port or load balancer).',
  })
}

/**
 * Whether gwdeploy already owns `actions` (its 503, or a forward to this target's groups).
 * A forward to another service's or env's gwdeploy groups is refused: one listener has one
 * default action, so two targets sharing it would take each other's traffic.
 */
async function ownsActions(aws: AwsContext, actions: ListenerAction[], what: string): Promise<boolean> {
  if (actions.some(isNotServing)) return true
  const arns = actions.flatMap(forwardedGroups)
  if (arns.length === 0) return false
  const { elb, elbSdk } = await aws.clients()
  const described = await call('DescribeTags (forwarded target groups)', () =>
    elb.send(new elbSdk.DescribeTagsCommand({ ResourceArns: arns })),
  )
  let ours = false
  for (const description of described.TagDescriptions ?? []) {
    const tags = fromTags(description.Tags)
    // Groups carry gwdeploy:target (fleet tags leave gwdeploy:managed-by out: ELBv2's tag limit in moto).
    if (tags[TAG.managedBy] !== 'gwdeploy' && tags[TAG.target] === undefined) continue
    if (tags[TAG.target] !== aws.settings.key) throw sharedListener(aws, what, tags[TAG.target] ?? '?')
    ours = true
  }
  return ours
}
