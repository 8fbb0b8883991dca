/**
 * A colour taken down: out of the listeners' forwards (never while it serves), its attach rule
 * deleted, its targets drained and instances terminated, then its target group deleted.
 */
import { providerError } from '../../core/errors.ts'
import { COLOURS, type Colour, type DecommissionOptions, type Fleet } from '../types.ts'
import type { AwsContext } from './context.ts'
import { findInstances, terminateInstances } from './instances.ts'
import { deleteRule, forwardWeights, listenerForward, setDefaultActions, trafficSplit } from './listeners.ts'
import { previewActions } from './requests.ts'
import { attachRule, deleteTargetGroup, deregister, readTargetGroups, waitDrained } from './target-groups.ts'

export async function decommissionFleet(
  aws: AwsContext,
  fleet: Fleet,
  options: DecommissionOptions,
): Promise<void> {
  const progress = options.progress ?? (() => {})
  const groups = await readTargetGroups(aws)
  const group = groups[fleet.colour]
  if (group) {
    const { weights } = await trafficSplit(aws, groups)
    if (weights[fleet.colour] > 0)
      throw providerError(
        `aws: refusing to decommission ${fleet.colour}: it serves ${weights[fleet.colour]}% of traffic`,
      )
    const live = await aws.liveListener()
    const forward = await listenerForward(aws, live.arn)
    if (forward.groups.some((g) => g.arn === group.arn)) {
      const other = COLOURS.find((c) => c !== fleet.colour) as Colour
      await forwardWeights(aws, weights, groups[other] ? { [other]: groups[other].arn } : {})
    }
    const test = await aws.testListener()
    if (test && (await listenerForward(aws, test.arn)).groups.some((g) => g.arn === group.arn))
      await setDefaultActions(aws, 'ModifyListener (test listener)', test.arn, previewActions(undefined))
  }
  const rule = await attachRule(aws, fleet.colour)
  if (rule?.RuleArn) await deleteRule(aws, rule.RuleArn)
  const instances = await findInstances(aws, { colour: fleet.colour })
  const ids = instances.map((i) => i.id)
  if (group && ids.length) {
    progress(`draining ${ids.length} target(s) of ${fleet.colour}`)
    await deregister(aws, group.arn, ids)
    await waitDrained(
      aws,
      group.arn,
      Math.max(options.drainMs, aws.settings.aws.targetGroup.deregistrationDelay),
      options.signal,
    )
  }
  if (ids.length) {
    progress(`terminating ${ids.length} instance(s) of ${fleet.colour}`)
    await terminateInstances(aws, ids)
  }
  if (group) await deleteTargetGroup(aws, group.arn)
}
