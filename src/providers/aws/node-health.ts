/**
 * The provider's view of a fleet's nodes: EC2 instance state plus ALB target health. A node that
 * is gone (terminated or stopped in the console, out of its target group, its group deleted)
 * says what happened and which command puts it right: gwdeploy never starts or re-registers
 * such an instance itself.
 */
import type { Fleet, NodeHealth } from '../types.ts'
import { isAwsError } from './clients.ts'
import type { AwsContext } from './context.ts'
import { instancesById, MISSING_NODE_PREFIX } from './instances.ts'
import { readTargetGroup, targetHealth, targetStatus } from './target-groups.ts'

/** How a gone node of `fleet` is replaced: a release of its SHA while it serves, a rollback to it redeploys. */
function wayOut(fleet: Fleet): string {
  return `\`gwdeploy release --sha ${fleet.sha}\` replaces it while ${fleet.colour} serves (a rollback to ${fleet.colour} redeploys it)`
}

export async function fleetHealth(aws: AwsContext, fleet: Fleet): Promise<NodeHealth[]> {
  const group = await readTargetGroup(aws, fleet.colour)
  const groupName = aws.settings.targetGroupName(fleet.colour)
  const ids = fleet.nodes.map((n) => n.id)
  const described = ids.filter((id) => !id.startsWith(MISSING_NODE_PREFIX))
  const instances = await instancesById(aws, described, 30_000).catch((error) => {
    if (isAwsError((error as { cause?: unknown }).cause, 'InvalidInstanceID.NotFound')) return []
    throw error
  })
  const targets = group ? await targetHealth(aws, group.arn) : []
  return ids.map((id): NodeHealth => {
    // gwdeploy never starts or re-registers such an instance: the gate need not wait for the others.
    const gone = (detail: string): NodeHealth => ({ node: id, status: 'gone', detail, final: true })
    const instance = instances.find((i) => i.id === id)
    if (id.startsWith(MISSING_NODE_PREFIX))
      return gone(
        `${groupName} records ${fleet.nodes.length} instance(s); this one is no longer listed (terminated outside gwdeploy): ${wayOut(fleet)}`,
      )
    if (!instance) return gone(`instance not found: ${wayOut(fleet)}`)
    if (instance.state === 'stopped' || instance.state === 'stopping')
      return gone(
        `instance is ${instance.state} (outside gwdeploy, which never starts it again; ALB sends it nothing): ${wayOut(fleet)}`,
      )
    if (instance.state !== 'running' && instance.state !== 'pending')
      return gone(`instance is ${instance.state}: ${wayOut(fleet)}`)
    if (!group)
      return gone(
        `its target group ${groupName} does not exist (deleted outside gwdeploy): no traffic can reach it; \`gwdeploy retire\` terminates it (a release to ${fleet.colour} replaces it)`,
      )
    const target = targets.find((t) => t.Target?.Id === id)?.TargetHealth
    if (!target)
      return gone(
        `not registered in ${groupName} (by a retire that did not finish — \`gwdeploy retire\` finishes it — or by hand): ${wayOut(fleet)}`,
      )
    return targetStatus(id, target, instance.launchTime, aws.settings.aws.bootGrace)
  })
}
