/** Reading and changing ALB listeners: which listener, what its default action forwards, its rules. */
import type { Action as ListenerAction } from '@aws-sdk/client-elastic-load-balancing-v2'
import { configError, providerError } from '../../core/errors.ts'
import { COLOURS, type Colour, type Weights } from '../types.ts'
import { call, isAwsError, stoppedBy } from './clients.ts'
import type { AwsContext } from './context.ts'
import { fromTags, TAG } from './names.ts'
import { isNotServing, listenerActions, type Stickiness } from './requests.ts'

export interface ListenerInfo {
  arn: string
  loadBalancerArn: string
  port: number
  protocol: string
  dnsName: string
  vpcId: string
}

/** The listener given by ARN, or by port on provider.aws.loadBalancerName, with its load balancer. */
export async function describeListener(
  aws: AwsContext,
  arn: string | undefined,
  port: number | undefined,
  what: string,
): Promise<ListenerInfo> {
  const { elb, elbSdk } = await aws.clients()
  let listener:
    | { ListenerArn?: string; Port?: number; Protocol?: string; LoadBalancerArn?: string }
    | undefined
  if (arn) {
    const found = await call(`DescribeListeners (${what})`, () =>
      elb.send(new elbSdk.DescribeListenersCommand({ ListenerArns: [arn] })),
    ).catch((error) => {
      if (isAwsError(error.cause, 'ListenerNotFound'))
        throw configError(`the ${what} ${arn} does not exist`, {
          location: {
            path: what === 'live listener' ? 'provider.aws.listenerArn' : 'provider.aws.testListenerArn',
          },
        })
      throw error
    })
    listener = found.Listeners?.[0]
  } else {
    // By port: on provider.aws.loadBalancerName, else on the live listener's own load balancer
    // (testListenerPort beside listenerArn) — never on whichever load balancer the account lists first.
    const { loadBalancerName, listenerArn } = aws.settings.aws
    const lb =
      loadBalancerName || !listenerArn
        ? await loadBalancerByName(aws)
        : { LoadBalancerArn: (await aws.liveListener()).loadBalancerArn, LoadBalancerName: undefined }
    const lbName = lb.LoadBalancerName ?? /loadbalancer\/app\/([^/]+)\//.exec(lb.LoadBalancerArn ?? '')?.[1]
    const all = await call(`DescribeListeners (${what})`, () =>
      elb.send(new elbSdk.DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn })),
    )
    listener = all.Listeners?.find((l) => l.Port === port)
    if (!listener)
      throw configError(`load balancer ${lbName ?? lb.LoadBalancerArn} has no listener on port ${port}`, {
        location: {
          path: what === 'live listener' ? 'provider.aws.listenerPort' : 'provider.aws.testListenerPort',
        },
        hint: 'Create the listener first (any default action); gwdeploy only changes its default action.',
      })
  }
  if (!listener?.ListenerArn || !listener.LoadBalancerArn) throw providerError(`aws: ${what} not found`)
  const lbs = await call('DescribeLoadBalancers', () =>
    elb.send(
      new elbSdk.DescribeLoadBalancersCommand({ LoadBalancerArns: [listener.LoadBalancerArn as string] }),
    ),
  )
  const lb = lbs.LoadBalancers?.[0]
  return {
    arn: listener.ListenerArn,
    loadBalancerArn: listener.LoadBalancerArn,
    port: listener.Port ?? 0,
    protocol: listener.Protocol ?? 'HTTP',
    dnsName: lb?.DNSName ?? '',
    vpcId: lb?.VpcId ?? '',
  }
}

async function loadBalancerByName(aws: AwsContext) {
  const { elb, elbSdk } = await aws.clients()
  const name = aws.settings.aws.loadBalancerName
  // Without Names, DescribeLoadBalancers lists every load balancer of the account.
  if (!name)
    throw configError('the load balancer is not set', {
      location: { path: 'provider.aws.loadBalancerName' },
      hint: 'Give provider.aws.listenerArn, or loadBalancerName and listenerPort.',
    })
  const found = await call('DescribeLoadBalancers', () =>
    elb.send(new elbSdk.DescribeLoadBalancersCommand({ Names: [name] })),
  ).catch((error) => {
    if (isAwsError(error.cause, 'LoadBalancerNotFound'))
      throw configError(`load balancer ${name} does not exist`, {
        location: { path: 'provider.aws.loadBalancerName' },
      })
    throw error
  })
  const lb = found.LoadBalancers?.find((l) => l.LoadBalancerName === name)
  if (!lb?.LoadBalancerArn) throw providerError(`aws: load balancer ${name} not found`)
  return lb
}

export function previewUrl(aws: AwsContext, test: ListenerInfo): URL {
  if (aws.settings.aws.testListenerUrl) return new URL(aws.settings.aws.testListenerUrl)
  const scheme = test.protocol === 'HTTPS' ? 'https' : 'http'
  return new URL(`${scheme}://${test.dnsName}:${test.port}`)
}

export async function defaultActions(aws: AwsContext, listenerArn: string) {
  const { elb, elbSdk } = await aws.clients()
  const found = await call('DescribeListeners', () =>
    elb.send(new elbSdk.DescribeListenersCommand({ ListenerArns: [listenerArn] })),
  )
  return found.Listeners?.[0]?.DefaultActions ?? []
}

/** The target groups (with weights) and stickiness of the listener's default forward. */
export async function listenerForward(aws: AwsContext, listenerArn: string) {
  return forwardOf(await defaultActions(aws, listenerArn))
}

function forwardOf(actions: ListenerAction[]) {
  const action = actions.find((a) => a.Type === 'forward')
  const groups =
    action?.ForwardConfig?.TargetGroups ??
    (action?.TargetGroupArn ? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }] : [])
  const stickiness = action?.ForwardConfig?.TargetGroupStickinessConfig
  return {
    groups: groups.map((g) => ({ arn: g.TargetGroupArn ?? '', weight: g.Weight ?? 1 })),
    stickiness: {
      Enabled: stickiness?.Enabled ?? false,
      ...(stickiness?.Enabled && stickiness.DurationSeconds
        ? { DurationSeconds: stickiness.DurationSeconds }
        : {}),
    } as Stickiness,
  }
}

/** Replaces only the default actions: port, protocol, certificates and rules stay as they are. */
export async function setDefaultActions(
  aws: AwsContext,
  what: string,
  listenerArn: string,
  actions: unknown[],
): Promise<void> {
  const { elb, elbSdk } = await aws.clients()
  const DefaultActions = actions as NonNullable<
    ConstructorParameters<typeof elbSdk.ModifyListenerCommand>[0]['DefaultActions']
  >
  // Never stopped by the run's interrupt (only its timeout bounds it): AWS may have applied a change
  // already sent, and the run must know where traffic is to put it back and say so.
  await stoppedBy(undefined, () =>
    call(what, () =>
      elb.send(new elbSdk.ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions })),
    ),
  )
}

/**
 * The live forward split into gwdeploy's colours (percentages between the two, as the contract
 * wants) and any other target group someone added by hand (its real share of all traffic).
 */
export async function trafficSplit(aws: AwsContext, groups: Partial<Record<Colour, { arn: string }>>) {
  const live = await aws.liveListener()
  const actions = await defaultActions(aws, live.arn)
  const forward = forwardOf(actions)
  const raw: Weights = { blue: 0, green: 0 }
  for (const colour of COLOURS) {
    const arn = groups[colour]?.arn
    raw[colour] = forward.groups.find((g) => g.arn === arn)?.weight ?? 0
  }
  const sum = raw.blue + raw.green
  const total = forward.groups.reduce((all, g) => all + g.weight, 0)
  const foreign =
    sum === 0
      ? []
      : forward.groups
          .filter((g) => g.weight > 0 && g.arn !== groups.blue?.arn && g.arn !== groups.green?.arn)
          .map((g) => ({
            name: /targetgroup\/([^/]+)\//.exec(g.arn)?.[1] ?? g.arn,
            percent: Math.round((g.weight * 100) / total),
          }))
  // A listener that forwards nowhere has no split to compare with the one gwdeploy set (unrouted says what it does).
  const edited = forward.groups.length > 0 ? await editedWeights(aws, live.arn, raw) : undefined
  if (sum === 0) {
    const first = actions[0]
    const original =
      first !== undefined &&
      !isNotServing(first) &&
      forward.groups.length === 0 &&
      (await aws.originals.isOriginal(live.arn, actions, 'live listener').catch(() => false))
    return { weights: raw, foreign, unrouted: unrouted(actions, forward.groups.length > 0, original), edited }
  }
  const blue = Math.round((raw.blue * 100) / sum)
  return { weights: { blue, green: 100 - blue }, foreign, unrouted: undefined, edited }
}

const weightsTag = (weights: Weights) => `blue=${weights.blue} green=${weights.green}`

/**
 * What `status` says when the listener's blue/green weights are not the ones gwdeploy last set
 * (its `gwdeploy:weights` tag): they were edited in the console or by another tool.
 */
async function editedWeights(
  aws: AwsContext,
  listenerArn: string,
  raw: Weights,
): Promise<string | undefined> {
  const { elb, elbSdk } = await aws.clients()
  const described = await call('DescribeTags (live listener)', () =>
    elb.send(new elbSdk.DescribeTagsCommand({ ResourceArns: [listenerArn] })),
  )
  const set = fromTags(described.TagDescriptions?.[0]?.Tags)[TAG.weights]
  if (!set || set === weightsTag(raw)) return undefined
  const shown = (tag: string) => tag.replace(/=/g, ' ').replace(' green', ' / green')
  return `the live listener forwards ${shown(weightsTag(raw))} but gwdeploy last set ${shown(set)}: changed outside gwdeploy (the console?); \`gwdeploy rollback\` ends the split (all traffic to the release that fully served before it)`
}

/** Records the weights gwdeploy sets on the live listener; advisory: a failure only leaves the old tag. */
async function tagWeights(aws: AwsContext, listenerArn: string, weights: Weights): Promise<void> {
  const { elb, elbSdk } = await aws.clients()
  await elb
    .send(
      new elbSdk.AddTagsCommand({
        ResourceArns: [listenerArn],
        Tags: [{ Key: TAG.weights, Value: weightsTag(weights) }],
      }),
    )
    .catch(() => {})
}

/** Takes gwdeploy's weights tag off the live listener (destroy). */
export async function untagWeights(aws: AwsContext, listenerArn: string): Promise<void> {
  const { elb, elbSdk } = await aws.clients()
  await call('RemoveTags (live listener)', () =>
    elb.send(new elbSdk.RemoveTagsCommand({ ResourceArns: [listenerArn], TagKeys: [TAG.weights] })),
  )
}

/**
 * Why no colour gets traffic when the default action is not gwdeploy's own "no colour is serving"
 * (set by hand, or another tool): `status` says what clients get instead of a bare 0% / 0%.
 */
function unrouted(actions: ListenerAction[], forwards: boolean, original: boolean): string | undefined {
  const first = actions[0]
  if (!first || isNotServing(first)) return undefined
  const what = forwards
    ? 'a forward to target groups that are not blue or green'
    : first.Type === 'fixed-response'
      ? `a fixed-response ${first.FixedResponseConfig?.StatusCode ?? ''}`.trimEnd()
      : first.Type === 'redirect'
        ? `a redirect to ${[first.RedirectConfig?.Host, first.RedirectConfig?.Path].filter(Boolean).join('') || 'elsewhere'}`
        : `a ${first.Type ?? 'different'} action`
  // The action it had before gwdeploy is what `destroy` puts back first: a destroy that did not finish, not a hand edit.
  const whence = original
    ? ' (the one it had before gwdeploy, which `gwdeploy destroy` puts back)'
    : ', set outside gwdeploy'
  return `the live listener's default action is ${what}${whence}: clients do not reach the gateway; re-releasing the live SHA (\`gwdeploy history\`) routes again`
}

export async function listenerRules(aws: AwsContext, listenerArn: string) {
  const { elb, elbSdk } = await aws.clients()
  const rules = []
  let marker: string | undefined
  do {
    const page = await call('DescribeRules', () =>
      elb.send(
        new elbSdk.DescribeRulesCommand({
          ListenerArn: listenerArn,
          ...(marker ? { Marker: marker } : {}),
        }),
      ),
    )
    rules.push(...(page.Rules ?? []))
    marker = page.NextMarker
  } while (marker)
  return rules
}

export async function deleteRule(aws: AwsContext, arn: string): Promise<void> {
  const { elb, elbSdk } = await aws.clients()
  await elb.send(new elbSdk.DeleteRuleCommand({ RuleArn: arn })).catch((error) => {
    if (!isAwsError(error, 'RuleNotFound')) return call('DeleteRule', () => Promise.reject(error))
  })
}

/** The live listener's default action: a weighted forward to the colours' groups (stickiness kept). */
export async function forwardWeights(
  aws: AwsContext,
  weights: Weights,
  arns: Partial<Record<Colour, string>>,
): Promise<void> {
  const live = await aws.liveListener()
  await aws.originals.record(live.arn, 'live listener')
  const { stickiness } = await listenerForward(aws, live.arn)
  await setDefaultActions(aws, 'ModifyListener', live.arn, listenerActions(weights, arns, stickiness))
  // Like the change itself, never stopped half-way by the run's interrupt.
  await stoppedBy(undefined, () => tagWeights(aws, live.arn, weights))
}
