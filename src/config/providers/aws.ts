import { z } from 'zod'
import { duration } from '../duration.ts'

const listenerArn = z
  .string()
  .regex(/^arn:[\w-]+:elasticloadbalancing:[\w-]*:\d*:listener\/(app|net)\/.+/, 'must be an ALB listener ARN')

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
