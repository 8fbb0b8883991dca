/** One target group per colour: its tags are the fleet record; a listener rule attaches it for health checks. */
import { providerError } from '../../core/errors.ts'
import { sleep } from '../../health/gate.ts'
import { COLOURS, type Colour, type FleetSpec, type NodeHealth } from '../types.ts'
import { call, isAwsError } from './clients.ts'
import type { AwsContext } from './context.ts'
import { deleteRule, listenerRules } from './listeners.ts'
import { fromTags, TAG, toTags } from './names.ts'
import { attachRuleInput, createTargetGroupInput, fleetTags, targetGroupAttributesInput } from './requests.ts'

export interface TargetGroupInfo {
  arn: string
  tags: Record<string, string>
}

/** The colour's target group, if it exists; refuses one with that name gwdeploy did not create. */
export async function readTargetGroup(aws: AwsContext, colour: Colour): Promise<TargetGroupInfo | undefined> {
  const { elb, elbSdk } = await aws.clients()
  const name = aws.settings.targetGroupName(colour)
  let arn: string | undefined
  try {
    const found = await elb.send(new elbSdk.DescribeTargetGroupsCommand({ Names: [name] }))
    arn = found.TargetGroups?.[0]?.TargetGroupArn
  } catch (error) {
    if (isAwsError(error, 'TargetGroupNotFound')) return undefined
    return call(`DescribeTargetGroups ${name}`, () => Promise.reject(error))
  }
  if (!arn) return undefined
  const described = await call(`DescribeTags ${name}`, () =>
    elb.send(new elbSdk.DescribeTagsCommand({ ResourceArns: [arn as string] })),
  )
  const tags = fromTags(described.TagDescriptions?.[0]?.Tags)
  if (tags[TAG.target] !== aws.settings.key) {
    throw providerError(
      `aws: target group ${name} exists but gwdeploy did not create it for ${aws.settings.key}`,
      {
        hint: 'Rename or delete that target group; gwdeploy names its groups <service>[-<env>]-<colour>.',
      },
    )
  }
  return { arn, tags }
}

export async function readTargetGroups(aws: AwsContext): Promise<Partial<Record<Colour, TargetGroupInfo>>> {
  const [blue, green] = await Promise.all(COLOURS.map((c) => readTargetGroup(aws, c)))
  return { ...(blue ? { blue } : {}), ...(green ? { green } : {}) }
}

/** Creates (or re-tags) the colour's target group and attaches it to the live listener. */
export async function ensureTargetGroup(
  aws: AwsContext,
  spec: FleetSpec,
  progress: (m: string) => void,
): Promise<TargetGroupInfo> {
  const { elb, elbSdk } = await aws.clients()
  const { settings } = aws
  const existing = await readTargetGroup(aws, spec.colour)
  const createdAt = existing?.tags[TAG.createdAt] ?? new Date().toISOString()
  const tags = fleetTags(settings, spec, createdAt)
  let arn: string
  if (existing) {
    const sha = existing.tags[TAG.sha]
    if (
      sha &&
      (sha !== spec.artifact.sha || existing.tags[TAG.configDigest] !== spec.artifact.configDigest)
    ) {
      throw providerError(
        `aws: ${spec.colour} runs ${sha.slice(0, 7)}; decommission it before provisioning ${spec.artifact.sha7}`,
      )
    }
    arn = existing.arn
    progress(`reusing target group ${settings.targetGroupName(spec.colour)}`)
    await call('AddTags (target group)', () =>
      elb.send(new elbSdk.AddTagsCommand({ ResourceArns: [existing.arn], Tags: tags })),
    )
  } else {
    const live = await aws.liveListener()
    const vpcId = settings.aws.vpcId ?? live.vpcId
    progress(`creating target group ${settings.targetGroupName(spec.colour)}`)
    // AWS returns the existing group for an identical CreateTargetGroup; moto raises
    // DuplicateTargetGroupName instead (a concurrent create), so that is read back too.
    const created = await elb
      .send(new elbSdk.CreateTargetGroupCommand(createTargetGroupInput(settings, spec, vpcId, tags)))
      .catch(async (error) => {
        if (isAwsError(error, 'DuplicateTargetGroupName')) return undefined
        return call('CreateTargetGroup', () => Promise.reject(error))
      })
    const createdArn =
      created?.TargetGroups?.[0]?.TargetGroupArn ?? (await readTargetGroup(aws, spec.colour))?.arn
    if (!createdArn) throw providerError('aws: CreateTargetGroup returned no target group')
    arn = createdArn
  }
  const groupArn = arn
  await call('ModifyTargetGroupAttributes', () =>
    elb.send(new elbSdk.ModifyTargetGroupAttributesCommand(targetGroupAttributesInput(settings, groupArn))),
  )
  await ensureAttachRule(aws, spec.colour, groupArn)
  return { arn: groupArn, tags: fromTags(tags) }
}

/** Records (or clears) how long a colour is kept for rollback. */
export async function tagKeepUntil(
  aws: AwsContext,
  group: TargetGroupInfo,
  keepUntil: string | undefined,
): Promise<void> {
  const { elb, elbSdk } = await aws.clients()
  if (keepUntil)
    await call('AddTags (keep-until)', () =>
      elb.send(
        new elbSdk.AddTagsCommand({
          ResourceArns: [group.arn],
          Tags: toTags({ [TAG.keepUntil]: keepUntil }),
        }),
      ),
    )
  else if (group.tags[TAG.keepUntil] !== undefined)
    await call('RemoveTags (keep-until)', () =>
      elb.send(new elbSdk.RemoveTagsCommand({ ResourceArns: [group.arn], TagKeys: [TAG.keepUntil] })),
    )
}

/** The live-listener rule that attaches the colour's group (so the ALB health-checks it). */
export async function attachRule(aws: AwsContext, colour: Colour) {
  const live = await aws.liveListener()
  const priority = String(aws.settings.attachPriority(colour))
  return (await listenerRules(aws, live.arn)).find((r) => r.Priority === priority)
}

async function ensureAttachRule(aws: AwsContext, colour: Colour, tgArn: string): Promise<void> {
  const { elb, elbSdk } = await aws.clients()
  const rule = await attachRule(aws, colour)
  const forwards = (r: NonNullable<typeof rule>) =>
    r.Actions?.some(
      (a) =>
        a.TargetGroupArn === tgArn || a.ForwardConfig?.TargetGroups?.some((g) => g.TargetGroupArn === tgArn),
    )
  if (rule && forwards(rule)) return
  if (rule?.RuleArn) await deleteRule(aws, rule.RuleArn) // points at a deleted group of this colour
  const live = await aws.liveListener()
  await call('CreateRule (attach target group)', () =>
    elb.send(new elbSdk.CreateRuleCommand(attachRuleInput(aws.settings, live.arn, colour, tgArn))),
  ).catch((error) => {
    if (isAwsError(error.cause, 'PriorityInUse'))
      throw providerError(`aws: listener rule priority ${aws.settings.attachPriority(colour)} is taken`, {
        hint: 'gwdeploy reserves provider.aws.lockPriority and the three priorities below it; choose another lockPriority.',
      })
    throw error
  })
}

export async function registerTargets(aws: AwsContext, tgArn: string, ids: string[], port: number) {
  const { elb, elbSdk } = await aws.clients()
  await call('RegisterTargets', () =>
    elb.send(
      new elbSdk.RegisterTargetsCommand({
        TargetGroupArn: tgArn,
        Targets: ids.map((Id) => ({ Id, Port: port })),
      }),
    ),
  )
}

export async function deregister(aws: AwsContext, tgArn: string | undefined, ids: string[]): Promise<void> {
  if (!tgArn || ids.length === 0) return
  const { elb, elbSdk } = await aws.clients()
  await elb
    .send(new elbSdk.DeregisterTargetsCommand({ TargetGroupArn: tgArn, Targets: ids.map((Id) => ({ Id })) }))
    .catch((error) => {
      if (!isAwsError(error, 'InvalidTarget', 'TargetGroupNotFound'))
        return call('DeregisterTargets', () => Promise.reject(error))
    })
}

export async function targetHealth(aws: AwsContext, tgArn: string) {
  const { elb, elbSdk } = await aws.clients()
  const health = await call('DescribeTargetHealth', () =>
    elb.send(new elbSdk.DescribeTargetHealthCommand({ TargetGroupArn: tgArn })),
  )
  return health.TargetHealthDescriptions ?? []
}

export async function waitDrained(
  aws: AwsContext,
  tgArn: string,
  maxMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + maxMs + 5_000
  while (Date.now() < deadline) {
    const targets = await targetHealth(aws, tgArn)
    if (!targets.some((t) => t.TargetHealth?.State === 'draining')) return
    await sleep(2_000, signal)
  }
}

export async function deleteTargetGroup(aws: AwsContext, arn: string): Promise<void> {
  const { elb, elbSdk } = await aws.clients()
  // Right after the listener stops using it AWS may still report ResourceInUse for a moment.
  for (let attempt = 0; ; attempt++) {
    try {
      await elb.send(new elbSdk.DeleteTargetGroupCommand({ TargetGroupArn: arn }))
      return
    } catch (error) {
      if (isAwsError(error, 'TargetGroupNotFound')) return
      if (!isAwsError(error, 'ResourceInUse') || attempt >= 10)
        return call('DeleteTargetGroup', () => Promise.reject(error))
      await sleep(2_000)
    }
  }
}

/** What an ALB health-check failure reason means for a gateway instance, and where to look. */
function failingWhy(id: string, reason: string | undefined): string {
  const look = `its console output (\`aws ec2 get-console-output --instance-id ${id}\`) shows the user-data run`
  switch (reason) {
    case 'Target.Timeout':
      return `, still failing past provider.aws.bootGrace: the check got no answer in time; the security groups must let the ALB reach fleet.port, and ${look}`
    case 'Target.ResponseCodeMismatch':
      return `, still failing past provider.aws.bootGrace: the gateway answers the health path with another status than the check expects; ${look}`
    default:
      return `, still failing past provider.aws.bootGrace: the gateway does not answer the health path on fleet.port; ${look}`
  }
}

/**
 * ALB target health -> the engine's view. A fresh instance failing checks is still booting. The
 * detail is the ALB's reason (the status already says healthy/unhealthy): said once in the gate.
 */
export function targetStatus(
  id: string,
  target: { State?: string | undefined; Reason?: string | undefined; Description?: string | undefined },
  launchTime: Date | undefined,
  bootGraceMs: number,
  now = Date.now(),
): NodeHealth {
  const reason = [target.Reason, target.Description].filter(Boolean).join(': ')
  const detail = `ALB target ${target.State ?? 'state unknown'}${reason ? ` (${reason})` : ''}`
  switch (target.State) {
    case 'healthy':
      return { node: id, status: 'healthy', detail }
    case 'initial':
      return { node: id, status: 'starting', detail }
    case 'unhealthy': {
      const age = launchTime ? now - launchTime.getTime() : Number.POSITIVE_INFINITY
      // Past bootGrace it will not pass by waiting: the gate fails at once (final), with why.
      return age < bootGraceMs
        ? { node: id, status: 'starting', detail: `${detail}, booting: within provider.aws.bootGrace` }
        : {
            node: id,
            status: 'unhealthy',
            detail: `the ALB's health checks fail${reason ? ` (${reason})` : ''}${failingWhy(id, target.Reason)}`,
            final: true,
          }
    }
    case 'unused':
      return target.Reason === 'Target.NotInUse'
        ? { node: id, status: 'starting', detail }
        : { node: id, status: 'gone', detail }
    case 'draining':
    case 'unhealthy.draining':
      return { node: id, status: 'gone', detail }
    default:
      return { node: id, status: 'unhealthy', detail }
  }
}
