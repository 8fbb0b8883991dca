import { z } from 'zod'

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
    listenerArn: z.string().optional().describe('The ALB listener to shift; or loadBalancerName + port.'),
    loadBalancerName: z.string().optional(),
    listenerPort: z.number().int().min(1).max(65535).optional(),
    testListenerArn: z
      .string()
      .optional()
      .describe('Optional listener for preview/smoke checks against green.'),
    vpcId: z.string().optional(),
    subnets: z.array(z.string()).default([]),
    securityGroups: z.array(z.string()).default([]),
    instanceType: z.string().default('t3.small'),
    ami: z.string().optional(),
    instanceProfile: z.string().optional(),
    keyName: z.string().optional(),
  })
  .describe('AWS: EC2 instances behind an Application Load Balancer with weighted target groups.')
