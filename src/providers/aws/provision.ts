/**
 * A colour's fleet brought up: instances found by tags first (a crash after RunInstances never
 * launches twice), surplus or stale ones terminated, the missing ones launched with the rendered
 * user-data, all registered in the colour's target group.
 */
import type { Fleet, FleetSpec, OperationOptions } from '../types.ts'
import type { AwsContext } from './context.ts'
import { checkSecretReferences } from './fleet-secrets.ts'
import {
  findInstances,
  type InstanceInfo,
  launchInstances,
  terminateInstances,
  toFleet,
  waitRunning,
} from './instances.ts'
import { TAG } from './names.ts'
import { checkNetwork } from './network.ts'
import { planLaunches } from './requests.ts'
import { checkPeerIngress, peerList, revokerPeers } from './revoker-peers.ts'
import { deregister, ensureTargetGroup, registerTargets } from './target-groups.ts'
import { renderUserData, userDataValues } from './user-data.ts'

export async function provisionFleet(
  aws: AwsContext,
  spec: FleetSpec,
  options: OperationOptions = {},
): Promise<Fleet> {
  const progress = options.progress ?? (() => {})
  // Found before anything is created (a crash after RunInstances must never launch the fleet
  // twice; AWS also dedupes by ClientToken, moto does not): what stays, and whose revocations
  // the new instances pull.
  const all = await findInstances(aws, {})
  const current = all.filter((i) => i.tags[TAG.colour] === spec.colour)
  const matches = (i: InstanceInfo) =>
    i.tags[TAG.sha] === spec.artifact.sha && i.tags[TAG.configDigest] === spec.artifact.configDigest
  const usable = current.filter((i) => matches(i) && (i.state === 'pending' || i.state === 'running'))
  const kept = usable.slice(0, spec.size)
  const unwanted = current.filter((i) => !kept.includes(i))
  const staying = all.filter((i) => !unwanted.includes(i))
  const peers = spec.artifact.revokerPort === undefined ? [] : revokerPeers(staying, progress)
  // Rendered first: a template error must stop the release before anything is created.
  const userData = renderUserData(
    aws.settings.userDataTemplate,
    userDataValues(aws.settings, spec, peerList(peers)),
  )
  // fleet.env references the instances would read at boot must exist (metadata only, no value).
  await checkSecretReferences(aws.settings)
  await aws.originals.check((await aws.liveListener()).arn, 'live listener')
  if (kept.length < spec.size) await checkNetwork(aws)
  if (kept.length < spec.size && spec.artifact.revokerPort)
    await checkPeerIngress(aws, peers, spec.artifact.revokerPort)
  // Also refuses, before anything is created, a listener another service/env already uses.
  await aws.originals.record((await aws.liveListener()).arn, 'live listener')
  const group = await ensureTargetGroup(aws, spec, progress)
  if (unwanted.length) {
    progress(`terminating ${unwanted.length} stopped, surplus or stale instance(s)`)
    await deregister(
      aws,
      group.arn,
      unwanted.map((i) => i.id),
    )
    await terminateInstances(
      aws,
      unwanted.map((i) => i.id),
    )
  }
  const missing = spec.size - kept.length
  let launched: string[] = []
  if (missing > 0) {
    const bySubnet = new Map<string, number>()
    for (const i of kept) bySubnet.set(i.subnet, (bySubnet.get(i.subnet) ?? 0) + 1)
    const launches = planLaunches(
      aws.settings.aws.subnets,
      bySubnet,
      missing,
      kept.map((i) => i.id),
    )
    progress(`launching ${missing} instance(s)${kept.length ? `, reusing ${kept.length}` : ''}`)
    launched = await launchInstances(aws, spec, launches, userData)
  } else progress(`reusing ${kept.length} instance(s)`)
  const ids = [...kept.map((i) => i.id), ...launched]
  const running = await waitRunning(aws, ids, options)
  await registerTargets(aws, group.arn, ids, spec.port)
  progress(`${ids.length} instance(s) registered in ${aws.settings.targetGroupName(spec.colour)}`)
  return toFleet(spec.colour, group, running) as Fleet
}
