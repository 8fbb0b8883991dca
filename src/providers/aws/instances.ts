/** The EC2 instances of a fleet, found by their tags, and how they read as fleet nodes. */
import { providerError } from '../../core/errors.ts'
import { sleep } from '../../health/gate.ts'
import type { Colour, Fleet, FleetNode, FleetSpec, OperationOptions } from '../types.ts'
import { call, isAwsError } from './clients.ts'
import type { AwsContext } from './context.ts'
import { fromTags, TAG } from './names.ts'
import { type LaunchRequest, runInstancesInput } from './requests.ts'
import type { TargetGroupInfo } from './target-groups.ts'

export interface InstanceInfo {
  id: string
  state: string
  subnet: string
  privateIp?: string | undefined
  securityGroups: string[]
  launchTime?: Date | undefined
  tags: Record<string, string>
  stateReason?: string | undefined
}

/** Instances that count as part of a fleet (terminating ones are already gone). */
const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped']
/** Terminated instances stay visible for about an hour: `inspect` shows them as gone nodes. */
const GONE_STATES = ['shutting-down', 'terminated']

export const isLive = (instance: InstanceInfo) => LIVE_STATES.includes(instance.state)

/**
 * This target's live instances (of one colour; with `gone`, also the terminated ones AWS still
 * lists), or the given ids in any state; sorted by id.
 */
export async function findInstances(
  aws: AwsContext,
  filter: { colour?: Colour; ids?: string[]; gone?: boolean },
): Promise<InstanceInfo[]> {
  const { ec2, ec2Sdk } = await aws.clients()
  if (filter.ids && filter.ids.length === 0) return []
  const out: InstanceInfo[] = []
  let token: string | undefined
  do {
    const page = await call('DescribeInstances', () =>
      ec2.send(
        new ec2Sdk.DescribeInstancesCommand({
          ...(filter.ids
            ? { InstanceIds: filter.ids }
            : {
                Filters: [
                  { Name: `tag:${TAG.target}`, Values: [aws.settings.key] },
                  ...(filter.colour ? [{ Name: `tag:${TAG.colour}`, Values: [filter.colour] }] : []),
                  {
                    Name: 'instance-state-name',
                    Values: filter.gone ? [...LIVE_STATES, ...GONE_STATES] : LIVE_STATES,
                  },
                ],
              }),
          ...(token ? { NextToken: token } : {}),
        }),
      ),
    )
    for (const reservation of page.Reservations ?? [])
      for (const i of reservation.Instances ?? [])
        if (i.InstanceId)
          out.push({
            id: i.InstanceId,
            state: i.State?.Name ?? 'unknown',
            subnet: i.SubnetId ?? '',
            privateIp: i.PrivateIpAddress,
            securityGroups: (i.SecurityGroups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
            launchTime: i.LaunchTime,
            tags: fromTags(i.Tags),
            stateReason: i.StateReason?.Message,
          })
    token = page.NextToken
  } while (token)
  return out.sort((a, b) => a.id.localeCompare(b.id))
}

/** DescribeInstances by id, riding out InvalidInstanceID.NotFound right after RunInstances. */
export async function instancesById(
  aws: AwsContext,
  ids: string[],
  patienceMs: number,
): Promise<InstanceInfo[]> {
  const deadline = Date.now() + patienceMs
  for (;;) {
    try {
      return await findInstances(aws, { ids })
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause
      if (!isAwsError(cause, 'InvalidInstanceID.NotFound') || Date.now() >= deadline) throw error
      await sleep(1_000)
    }
  }
}

/** One RunInstances per planned subnet; the ids of the launched instances. */
export async function launchInstances(
  aws: AwsContext,
  spec: FleetSpec,
  launches: LaunchRequest[],
  userData: string,
): Promise<string[]> {
  const { ec2, ec2Sdk } = await aws.clients()
  const results = await Promise.all(
    launches.map((launch) =>
      call(`RunInstances in ${launch.subnet}`, () =>
        ec2.send(new ec2Sdk.RunInstancesCommand(runInstancesInput(aws.settings, spec, launch, userData))),
      ),
    ),
  )
  const launched: string[] = []
  for (const result of results)
    for (const i of result.Instances ?? []) if (i.InstanceId) launched.push(i.InstanceId)
  return launched
}

export async function terminateInstances(aws: AwsContext, ids: string[]): Promise<void> {
  const { ec2, ec2Sdk } = await aws.clients()
  await call('TerminateInstances', () => ec2.send(new ec2Sdk.TerminateInstancesCommand({ InstanceIds: ids })))
}

export async function waitRunning(
  aws: AwsContext,
  ids: string[],
  options: OperationOptions,
): Promise<InstanceInfo[]> {
  const deadline = Date.now() + 10 * 60_000
  for (;;) {
    const instances = await instancesById(aws, ids, 60_000)
    const dead = instances.filter((i) => !['pending', 'running'].includes(i.state))
    if (dead.length)
      throw providerError(
        `aws: instance ${dead[0]?.id} is ${dead[0]?.state}${dead[0]?.stateReason ? ` (${dead[0].stateReason})` : ''} instead of running`,
        { hint: 'Check the AMI, instance type, subnet capacity and the account limits.' },
      )
    if (instances.length === ids.length && instances.every((i) => i.state === 'running')) return instances
    if (Date.now() >= deadline)
      throw providerError(`aws: instances ${ids.join(', ')} did not reach running within 10 minutes`)
    options.progress?.(
      `waiting for ${instances.filter((i) => i.state !== 'running').length} instance(s) to run`,
    )
    await sleep(2_000, options.signal)
  }
}

function toNode(instance: InstanceInfo, colour: Colour): FleetNode {
  return {
    id: instance.id,
    colour,
    ...(instance.privateIp ? { address: `${instance.privateIp}` } : {}),
    ...(instance.launchTime ? { startedAt: instance.launchTime.toISOString() } : {}),
    meta: {
      state: instance.state,
      subnet: instance.subnet,
      // Where the instance takes revocations (from inside the VPC): `status` shows it.
      ...(instance.privateIp && instance.tags[TAG.revokerPort]
        ? { revoker: `${instance.privateIp}:${instance.tags[TAG.revokerPort]}` }
        : {}),
    },
  }
}

/** Node id of an instance the fleet record counts but AWS no longer lists (terminated long ago). */
export const MISSING_NODE_PREFIX = 'missing-'

/**
 * The fleet a target group's tags record, with its instances as nodes; none before it is stamped.
 * The group records fleet.size: when fewer instances live than that (terminated behind gwdeploy's
 * back — AWS deregisters them by itself), the gap is filled with those terminated instances of the
 * release AWS still lists, then with `missing-N` placeholders, so `nodeHealth` reports them gone:
 * `status` flags the live colour, `release --sha <live>` replaces them, and `rollback` never
 * switches to a colour with nothing left behind it.
 */
export function toFleet(
  colour: Colour,
  group: TargetGroupInfo,
  instances: InstanceInfo[],
): Fleet | undefined {
  const tags = group.tags
  if (!tags[TAG.sha]) return undefined
  const live = instances.filter(isLive)
  const size = Number.parseInt(tags[TAG.size] ?? '', 10)
  const gap = Number.isInteger(size) ? Math.max(0, size - live.length) : 0
  const gone = instances
    .filter(
      (i) =>
        !isLive(i) &&
        i.tags[TAG.sha] === tags[TAG.sha] &&
        i.tags[TAG.configDigest] === tags[TAG.configDigest],
    )
    .sort((a, b) => (b.launchTime?.getTime() ?? 0) - (a.launchTime?.getTime() ?? 0))
    .slice(0, gap)
  const missing = Array.from(
    { length: gap - gone.length },
    (_, n): FleetNode => ({ id: `${MISSING_NODE_PREFIX}${n + 1}`, colour, meta: { state: 'missing' } }),
  )
  return {
    colour,
    sha: tags[TAG.sha] as string,
    configName: tags[TAG.configName] ?? '',
    configDigest: tags[TAG.configDigest] ?? '',
    ...(tags[TAG.image] ? { image: tags[TAG.image] } : {}),
    nodes: [...live.map((i) => toNode(i, colour)), ...gone.map((i) => toNode(i, colour)), ...missing],
    ...(tags[TAG.createdAt] ? { createdAt: tags[TAG.createdAt] } : {}),
    ...(tags[TAG.keepUntil] ? { keepUntil: tags[TAG.keepUntil] } : {}),
  }
}

/**
 * The live instances of a colour whose target group is gone (deleted by hand in the console): a
 * fleet from their own tags, so `status` shows them (its nodes report the missing group), `retire`
 * and `destroy` terminate them, and a rollback never switches to them. None when nothing lives.
 */
export function orphanFleet(colour: Colour, instances: InstanceInfo[]): Fleet | undefined {
  const live = instances.filter(isLive)
  const newest = [...live].sort((a, b) => (b.launchTime?.getTime() ?? 0) - (a.launchTime?.getTime() ?? 0))[0]
  const sha = newest?.tags[TAG.sha]
  if (!sha) return undefined
  return {
    colour,
    sha,
    configName: newest?.tags[TAG.configName] ?? '',
    configDigest: newest?.tags[TAG.configDigest] ?? '',
    nodes: live.map((i) => toNode(i, colour)),
  }
}
