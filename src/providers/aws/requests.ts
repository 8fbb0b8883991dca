/**
 * Every AWS request input gwdeploy sends, built as plain data (no SDK, no I/O): golden-tested,
 * shown by `release --dry-run`, and sent as-is by the thin I/O layer (index.ts).
 */
import { providerError } from '../../core/errors.ts'
import { COLOURS, type Colour, type FleetSpec, type Weights } from '../types.ts'
import { clientToken, TAG, type Tag, toTags } from './names.ts'
import type { AwsSettings } from './settings.ts'

/**
 * Matches no real client: source-ip is TEST-NET-1 (RFC 5737, never routed) AND a header.
 * Used by the lock rule and by the rules that attach a colour's target group to the listener.
 */
export const NEVER_MATCHES = (header: string, value: string) => [
  { Field: 'source-ip', SourceIpConfig: { Values: ['192.0.2.0/32'] } },
  { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: header, Values: [value] } },
]

const NOT_SERVING = {
  Type: 'fixed-response' as const,
  FixedResponseConfig: {
    StatusCode: '503',
    ContentType: 'text/plain',
    MessageBody: 'gwdeploy: no colour is serving',
  },
}

export function baseTags(settings: AwsSettings, colour?: Colour): Record<string, string | undefined> {
  return {
    ...settings.aws.tags,
    [TAG.managedBy]: 'gwdeploy',
    [TAG.target]: settings.key,
    [TAG.service]: settings.service,
    [TAG.env]: settings.env,
    [TAG.colour]: colour,
  }
}

/**
 * The release facts a colour's target group carries (the fleet record). No `gwdeploy:managed-by`
 * here (groups are found by name and `gwdeploy:target`; IAM conditions use it on instances only):
 * moto still enforces ELBv2's old 10-tag limit on AddTags (AWS allows 50), and `keep-until` is added later.
 */
export function fleetTags(settings: AwsSettings, spec: FleetSpec, createdAt: string): Tag[] {
  const { artifact } = spec
  return toTags({
    ...baseTags(settings, spec.colour),
    [TAG.managedBy]: undefined,
    [TAG.sha]: artifact.sha,
    [TAG.configName]: artifact.configName,
    [TAG.configDigest]: artifact.configDigest,
    [TAG.image]: artifact.image,
    [TAG.size]: String(spec.size),
    [TAG.createdAt]: createdAt,
  })
}

export function createTargetGroupInput(settings: AwsSettings, spec: FleetSpec, vpcId: string, tags: Tag[]) {
  const tg = settings.aws.targetGroup
  return {
    Name: settings.targetGroupName(spec.colour),
    Protocol: 'HTTP' as const,
    ProtocolVersion: 'HTTP1',
    Port: spec.port,
    VpcId: vpcId,
    TargetType: 'instance' as const,
    HealthCheckEnabled: true,
    HealthCheckProtocol: 'HTTP' as const,
    HealthCheckPort: 'traffic-port',
    HealthCheckPath: spec.healthPath,
    HealthCheckIntervalSeconds: Math.round(tg.healthInterval / 1000),
    HealthCheckTimeoutSeconds: Math.round(tg.healthTimeout / 1000),
    HealthyThresholdCount: tg.healthyThreshold,
    UnhealthyThresholdCount: tg.unhealthyThreshold,
    Matcher: { HttpCode: '200' },
    Tags: tags,
  }
}

export function targetGroupAttributesInput(settings: AwsSettings, targetGroupArn: string) {
  return {
    TargetGroupArn: targetGroupArn,
    Attributes: [
      {
        Key: 'deregistration_delay.timeout_seconds',
        Value: String(Math.round(settings.aws.targetGroup.deregistrationDelay / 1000)),
      },
    ],
  }
}

/**
 * A never-matching rule forwarding to a colour's target group: AWS runs health checks only for
 * target groups a listener uses (otherwise targets stay `unused`, Target.NotInUse), and green
 * must be checked before it gets any traffic.
 */
export function attachRuleInput(settings: AwsSettings, listenerArn: string, colour: Colour, tgArn: string) {
  return {
    ListenerArn: listenerArn,
    Priority: settings.attachPriority(colour),
    Conditions: NEVER_MATCHES('X-Gwdeploy-Attach', `${settings.key}-${colour}`),
    Actions: [{ Type: 'forward' as const, TargetGroupArn: tgArn }],
    Tags: toTags(baseTags(settings, colour)),
  }
}

export interface Stickiness {
  Enabled: boolean
  DurationSeconds?: number
}

/**
 * The live listener's default action for `weights` (percentages; ALB weights are 0-999 and
 * relative, so a percentage is a valid weight). Every colour that has a target group stays in
 * the list (weight 0 included); nothing serving is a fixed 503, never a forward of all zeros.
 */
export function listenerActions(
  weights: Weights,
  targetGroups: Partial<Record<Colour, string>>,
  stickiness: Stickiness = { Enabled: false },
) {
  for (const colour of COLOURS) {
    const weight = weights[colour]
    if (!Number.isInteger(weight) || weight < 0 || weight > 999)
      throw providerError(`aws: weight ${weight} for ${colour} is not an integer between 0 and 999`)
    if (weight > 0 && !targetGroups[colour])
      throw providerError(`aws: cannot route ${weight}% to ${colour}: it has no target group`)
  }
  if (weights.blue === 0 && weights.green === 0) return [NOT_SERVING]
  const groups = COLOURS.filter((colour) => targetGroups[colour]).map((colour) => ({
    TargetGroupArn: targetGroups[colour] as string,
    Weight: weights[colour],
  }))
  return [
    {
      Type: 'forward' as const,
      ForwardConfig: { TargetGroups: groups, TargetGroupStickinessConfig: stickiness },
    },
  ]
}

/** The test listener's action: everything to one colour, or a 503 when there is none. */
export function previewActions(targetGroupArn: string | undefined) {
  if (!targetGroupArn) return [NOT_SERVING]
  return [
    {
      Type: 'forward' as const,
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: targetGroupArn, Weight: 1 }] },
    },
  ]
}

export interface LaunchRequest {
  subnet: string
  count: number
  /** Instance ids of the colour that already run (part of the idempotency token). */
  existing: readonly string[]
}

export function runInstancesInput(
  settings: AwsSettings,
  spec: FleetSpec,
  launch: LaunchRequest,
  userData: string,
) {
  const { aws } = settings
  const tags = toTags({
    ...baseTags(settings, spec.colour),
    Name: `${settings.key}-${spec.colour}-${spec.artifact.sha7}`,
    [TAG.sha]: spec.artifact.sha,
    // So instances whose target group was deleted by hand still say what they run (orphanFleet).
    [TAG.configName]: spec.artifact.configName,
    [TAG.configDigest]: spec.artifact.configDigest,
    [TAG.revokerPort]: spec.artifact.revokerPort ? String(spec.artifact.revokerPort) : undefined,
  })
  return {
    ImageId: aws.ami,
    InstanceType: aws.instanceType as never,
    MinCount: launch.count,
    MaxCount: launch.count,
    SubnetId: launch.subnet,
    ...(aws.securityGroups.length ? { SecurityGroupIds: aws.securityGroups } : {}),
    ...(aws.instanceProfile ? { IamInstanceProfile: { Name: aws.instanceProfile } } : {}),
    ...(aws.keyName ? { KeyName: aws.keyName } : {}),
    UserData: Buffer.from(userData, 'utf8').toString('base64'),
    MetadataOptions: { HttpTokens: 'required' as const, HttpPutResponseHopLimit: 2 },
    ClientToken: clientToken([
      settings.targetGroupName(spec.colour),
      spec.artifact.sha,
      spec.artifact.configDigest,
      launch.subnet,
      String(launch.count),
      ...[...launch.existing].sort(),
    ]),
    TagSpecifications: [
      { ResourceType: 'instance' as const, Tags: tags },
      { ResourceType: 'volume' as const, Tags: tags },
    ],
  }
}

/** Which subnet each missing node goes to: the subnets with the fewest nodes first. */
export function planLaunches(
  subnets: readonly string[],
  existingBySubnet: ReadonlyMap<string, number>,
  missing: number,
  existing: readonly string[],
): LaunchRequest[] {
  const counts = new Map(subnets.map((s) => [s, existingBySubnet.get(s) ?? 0]))
  const added = new Map<string, number>()
  for (let i = 0; i < missing; i++) {
    const [subnet] = [...counts.entries()].sort(
      (a, b) => a[1] - b[1] || subnets.indexOf(a[0]) - subnets.indexOf(b[0]),
    )[0] as [string, number]
    counts.set(subnet, (counts.get(subnet) ?? 0) + 1)
    added.set(subnet, (added.get(subnet) ?? 0) + 1)
  }
  return [...added.entries()].map(([subnet, count]) => ({ subnet, count, existing }))
}

/** A listener action as DescribeListeners/DescribeRules return it (the SDK's Action, loosely). */
export interface ListenerAction {
  Type?: string | undefined
  FixedResponseConfig?: { MessageBody?: string | undefined } | undefined
  TargetGroupArn?: string | undefined
  ForwardConfig?: { TargetGroups?: Array<{ TargetGroupArn?: string | undefined }> | undefined } | undefined
}

/** gwdeploy's own "nothing serving" answer (so it is never mistaken for a user's original action). */
export function isNotServing(action: ListenerAction): boolean {
  return (
    action.Type === 'fixed-response' &&
    action.FixedResponseConfig?.MessageBody === NOT_SERVING.FixedResponseConfig.MessageBody
  )
}

/** Target groups an action forwards to. */
export function forwardedGroups(action: ListenerAction): string[] {
  if (action.Type !== 'forward') return []
  const arns = (action.ForwardConfig?.TargetGroups ?? []).map((g) => g.TargetGroupArn)
  return [...new Set([...arns, action.TargetGroupArn].filter((arn): arn is string => Boolean(arn)))]
}

/**
 * The never-matching rule that keeps a listener's default action from before gwdeploy first
 * changed it; `destroy` puts it back. A rule holds any action whole (tag values are limited to
 * 256 characters, an action is not), and keeps a target group it forwards to from being deleted.
 */
export function originalActionRuleInput<A>(settings: AwsSettings, listenerArn: string, actions: A[]) {
  return {
    ListenerArn: listenerArn,
    Priority: settings.originalPriority,
    Conditions: NEVER_MATCHES('X-Gwdeploy-Original', settings.key),
    Actions: actions,
    Tags: toTags({ ...baseTags(settings), [TAG.role]: ORIGINAL_ACTION_ROLE }),
  }
}

export const ORIGINAL_ACTION_ROLE = 'original-default-action'
