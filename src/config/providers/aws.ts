import { z } from 'zod'
import { duration } from '../duration.ts'
import { GWDEPLOY_TAGS_AT_MOST, tagProblem, USER_TAGS_AT_MOST } from './aws-tags.ts'

const listenerArn = z
  .string()
  .regex(/^arn:[\w-]+:elasticloadbalancing:[\w-]*:\d*:listener\/(app|net)\/.+/, 'must be an ALB listener ARN')

/** Region and load balancer (`app/<name>/<id>`) of a listener ARN. */
function arnParts(arn: string | undefined): { region: string; loadBalancer: string } | undefined {
  const match = arn
    ? /^arn:[\w-]+:elasticloadbalancing:([\w-]*):\d*:listener\/((?:app|net)\/[^/]+\/[^/]+)\//.exec(arn)
    : null
  return match ? { region: match[1] as string, loadBalancer: match[2] as string } : undefined
}

const registryAuthSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('none') }),
    z.strictObject({ type: z.literal('ecr') }),
    z.strictObject({
      type: z.literal('ssm'),
      username: z.string().min(1).describe('Registry user name (not a secret).'),
      passwordParameter: z
        .string()
        .min(1)
        .describe('SSM SecureString parameter with the registry password, read by the instance role.'),
    }),
  ])
  .describe(
    'How instances log in to the registry. ecr: the instance role (aws ecr get-login-password); ssm: a SecureString read by the instance role; none: a public registry. Default: ecr for *.dkr.ecr.* repositories, else none.',
  )

const targetGroupSchema = z
  .strictObject({
    healthInterval: duration
      .prefault('10s')
      .describe('ALB health check interval (5s-300s; AWS default 30s).'),
    healthTimeout: duration.prefault('5s').describe('ALB health check timeout (2s-120s).'),
    healthyThreshold: z
      .number()
      .int()
      .min(2)
      .max(10)
      .default(2)
      .describe('Checks to become healthy (AWS: 5).'),
    unhealthyThreshold: z.number().int().min(2).max(10).default(2),
    deregistrationDelay: duration
      .prefault('30s')
      .describe('Draining time of a deregistered target (AWS default 300s, a known slow-deploy cause).'),
  })
  .superRefine((tg, ctx) => {
    // What CreateTargetGroup / ModifyTargetGroupAttributes accept: refused here, before the lock,
    // instead of by AWS halfway through a release.
    const seconds = (key: keyof typeof tg, ms: number, min: number, max: number, what: string) => {
      const ok = ms % 1000 === 0 && ms >= min * 1000 && ms <= max * 1000
      if (!ok)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `must be whole seconds from ${min}s to ${max}s (${what})`,
          params: {
            hint: `AWS refuses anything else when gwdeploy creates the target group, e.g. ${key}: ${min * 2}s.`,
          },
        })
      return ok
    }
    const interval = seconds('healthInterval', tg.healthInterval, 5, 300, 'the ALB health check interval')
    const timeout = seconds('healthTimeout', tg.healthTimeout, 2, 120, 'the ALB health check timeout')
    seconds('deregistrationDelay', tg.deregistrationDelay, 0, 3600, 'the target group deregistration delay')
    if (interval && timeout && tg.healthTimeout >= tg.healthInterval)
      ctx.addIssue({
        code: 'custom',
        path: ['healthTimeout'],
        message: `must be shorter than healthInterval (${tg.healthInterval / 1000}s): AWS refuses the target group otherwise`,
      })
  })
  .describe('Settings of the per-colour target groups gwdeploy creates.')

export const awsProviderSchema = z
  .strictObject({
    region: z
      .string()
      .optional()
      .describe('AWS region; defaults to the standard chain (AWS_REGION, profile).'),
    profile: z
      .string()
      .optional()
      .describe('Named profile from the shared AWS config; credentials never go here.'),
    endpoint: z.string().url().optional().describe('Custom endpoint (for emulators such as moto).'),
    listenerArn: listenerArn.optional().describe('The ALB listener to shift; or loadBalancerName + port.'),
    loadBalancerName: z.string().optional().describe('The ALB, when listenerArn is not given.'),
    listenerPort: z.number().int().min(1).max(65535).optional().describe('Port of the live listener.'),
    testListenerArn: listenerArn
      .optional()
      .describe('Optional listener for preview/smoke checks against green.'),
    testListenerPort: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe('The test listener by port on the same load balancer, instead of testListenerArn.'),
    testListenerUrl: z
      .string()
      .url()
      .optional()
      .describe('Where gwdeploy reaches the test listener (default http(s)://<ALB DNS name>:<port>).'),
    vpcId: z.string().optional().describe('VPC of the target groups (default: the load balancer VPC).'),
    subnets: z.array(z.string()).min(1).describe('Subnets instances are spread over (round robin).'),
    securityGroups: z.array(z.string()).default([]),
    instanceType: z.string().default('t3.small'),
    ami: z.string().describe('AMI with cloud-init (Amazon Linux 2023, Ubuntu, Debian).'),
    instanceProfile: z.string().optional().describe('IAM instance profile name (registry pull via ECR/SSM).'),
    keyName: z.string().optional().describe('EC2 key pair for SSH; none by default.'),
    userDataTemplate: z
      .string()
      .optional()
      .describe('Own cloud-init template (relative to gwdeploy.yml); default templates/aws/user-data.yaml.'),
    registryAuth: registryAuthSchema.optional(),
    targetGroup: targetGroupSchema.prefault({}),
    bootGrace: duration
      .prefault('5m')
      .describe('A target of an instance younger than this that fails checks counts as still starting.'),
    maintenancePriority: z
      .number()
      .int()
      .min(1)
      .max(50000)
      .default(1)
      .describe(
        'Listener rule priority of the maintenance page (`gwdeploy maintenance on`): a fixed response for every path, evaluated before your own rules at higher numbers.',
      ),
    lockPriority: z
      .number()
      .int()
      .min(4)
      .max(50000)
      .default(50000)
      .describe(
        'Listener rule priority of the release lock; the three below it attach blue and green and keep the original default action (all never-matching rules).',
      ),
    tags: z.record(z.string(), z.string()).default({}).describe('Extra tags on everything gwdeploy creates.'),
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(8)
      .describe('SDK attempts per call (adaptive retry mode: throttling backs off).'),
  })
  .superRefine((aws, ctx) => {
    const tagCount = Object.keys(aws.tags).length
    if (tagCount > USER_TAGS_AT_MOST)
      ctx.addIssue({
        code: 'custom',
        path: ['tags'],
        message: `${tagCount} tags: at most ${USER_TAGS_AT_MOST} fit, AWS allows ${USER_TAGS_AT_MOST + GWDEPLOY_TAGS_AT_MOST} on a target group or instance and gwdeploy adds up to ${GWDEPLOY_TAGS_AT_MOST} of its own`,
        params: { hint: `Remove ${tagCount - USER_TAGS_AT_MOST} of them.` },
      })
    for (const [key, value] of Object.entries(aws.tags)) {
      const why = tagProblem(key, value)
      if (why)
        ctx.addIssue({
          code: 'custom',
          path: ['tags', key],
          message: `tag "${key}": ${why}`,
          params: {
            hint: 'Rename or remove the tag: gwdeploy puts it on every target group and instance it creates.',
          },
        })
    }
    const reserved = [aws.lockPriority - 3, aws.lockPriority]
    if (
      aws.maintenancePriority >= (reserved[0] as number) &&
      aws.maintenancePriority <= (reserved[1] as number)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['maintenancePriority'],
        message: `${aws.maintenancePriority} is one of the priorities gwdeploy reserves below lockPriority (${reserved.join('-')}: the lock, the rules attaching blue and green, the original default action)`,
        params: {
          // With lockPriority 4 the range takes 1 itself.
          hint:
            (reserved[0] as number) > 1
              ? 'Use 1 (the default: evaluated before your own rules) or any priority outside that range.'
              : `Use ${(reserved[1] as number) + 1} or above, or a lockPriority of 5 or more, which leaves 1 (the default: evaluated before your own rules) free.`,
        },
      })
    }
    const live = arnParts(aws.listenerArn)
    const test = arnParts(aws.testListenerArn)
    for (const [key, parts] of [
      ['listenerArn', live],
      ['testListenerArn', test],
    ] as const) {
      if (parts?.region && aws.region && parts.region !== aws.region)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `is in region ${parts.region}, but provider.aws.region is ${aws.region}: gwdeploy would not find it there`,
          params: {
            hint: `Set provider.aws.region: ${parts.region}, or give the ARN of the listener in ${aws.region}.`,
          },
        })
    }
    if (aws.testListenerArn && aws.testListenerArn === aws.listenerArn)
      ctx.addIssue({
        code: 'custom',
        path: ['testListenerArn'],
        message:
          'is the live listener: previews would send all live traffic to green before it passed its gate',
        params: {
          hint: 'Give a second listener of the same load balancer (another port) as testListenerArn.',
        },
      })
    else if (live && test && live.loadBalancer !== test.loadBalancer)
      ctx.addIssue({
        code: 'custom',
        path: ['testListenerArn'],
        message: `is on load balancer ${test.loadBalancer}, the live listener on ${live.loadBalancer}: a target group serves one load balancer only`,
        params: {
          hint: "Give a listener of the live listener's load balancer (another port) as testListenerArn.",
        },
      })
    if (aws.testListenerPort && aws.listenerPort && aws.testListenerPort === aws.listenerPort)
      ctx.addIssue({
        code: 'custom',
        path: ['testListenerPort'],
        message:
          'is the live listener port: previews would send all live traffic to green before it passed its gate',
      })
    if (!aws.listenerArn && !(aws.loadBalancerName && aws.listenerPort)) {
      ctx.addIssue({
        code: 'custom',
        path: ['listenerArn'],
        message: 'the live listener is not set: give listenerArn, or loadBalancerName and listenerPort',
      })
    }
    if (aws.testListenerArn && aws.testListenerPort) {
      ctx.addIssue({
        code: 'custom',
        path: ['testListenerPort'],
        message: 'give testListenerArn or testListenerPort, not both',
      })
    }
    if (aws.testListenerPort && !aws.loadBalancerName && !aws.listenerArn) {
      ctx.addIssue({ code: 'custom', path: ['testListenerPort'], message: 'needs the load balancer' })
    }
  })
  .describe('AWS: EC2 instances behind an Application Load Balancer with weighted target groups.')

export type AwsProviderConfig = z.output<typeof awsProviderSchema>
