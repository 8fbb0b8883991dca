/**
 * The SDK clients, imported lazily (they are heavy). Credentials always come from the standard
 * chain (env, shared config/profile, instance/task role); adaptive retries back off on
 * throttling and retry transient failures `maxAttempts` times per call.
 */
import type { EC2Client } from '@aws-sdk/client-ec2'
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import { providerError } from '../../core/errors.ts'
import type { AwsSettings } from './settings.ts'

export type Ec2Sdk = typeof import('@aws-sdk/client-ec2')
export type ElbSdk = typeof import('@aws-sdk/client-elastic-load-balancing-v2')

export interface AwsClients {
  ec2: EC2Client
  elb: ElasticLoadBalancingV2Client
  ec2Sdk: Ec2Sdk
  elbSdk: ElbSdk
}

/** What every SDK client of ours is made with: the settings' region, profile, endpoint and retries. */
export function sdkClientConfig({ aws }: AwsSettings) {
  return {
    ...(aws.region ? { region: aws.region } : {}),
    ...(aws.profile ? { profile: aws.profile } : {}),
    ...(aws.endpoint ? { endpoint: aws.endpoint } : {}),
    maxAttempts: aws.maxAttempts,
    retryMode: 'adaptive',
  }
}

export async function createClients(settings: AwsSettings): Promise<AwsClients> {
  const [ec2Sdk, elbSdk] = await Promise.all([
    import('@aws-sdk/client-ec2'),
    import('@aws-sdk/client-elastic-load-balancing-v2'),
  ])
  const common = sdkClientConfig(settings)
  return {
    ec2: new ec2Sdk.EC2Client(common),
    elb: new elbSdk.ElasticLoadBalancingV2Client(common),
    ec2Sdk,
    elbSdk,
  }
}

/** The AWS error code (`InvalidInstanceID.NotFound`, `PriorityInUseException`, ...). */
export function awsErrorName(error: unknown): string {
  const e = error as { name?: string; Code?: string; code?: string }
  return e?.Code ?? e?.name ?? e?.code ?? ''
}

export function isAwsError(error: unknown, ...names: string[]): boolean {
  const name = awsErrorName(error)
  return names.some((n) => name === n || name === `${n}Exception`)
}

/** Wraps an SDK failure as exit 6 with what was being done; GwErrors pass through. */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if ((error as { name?: string }).name === 'GwError') throw error
    const name = awsErrorName(error)
    const e = error as Error & { code?: string; $metadata?: { httpStatusCode?: number } }
    const unreachable =
      /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH)$/.test(
        e.code ?? '',
      ) ||
      /^(TimeoutError|RequestTimeout)$/.test(name) ||
      // Something answered that is not an AWS API (a wrong endpoint, a proxy): the SDK knows no error code.
      (e.message === 'Unknown' &&
        e.$metadata?.httpStatusCode !== undefined &&
        e.$metadata.httpStatusCode < 500)
    const hint = /Credential|ExpiredToken|UnrecognizedClient|InvalidClientTokenId|AuthFailure/.test(
      `${name} ${e.message}`,
    )
      ? 'Check the AWS credentials: the standard chain (AWS_PROFILE, provider.aws.profile, env, instance role).'
      : /AccessDenied|UnauthorizedOperation/.test(name)
        ? 'The caller lacks a permission: compare with templates/aws/iam-policy.json.'
        : unreachable
          ? 'AWS was not reached: check provider.aws.endpoint (remove it for AWS itself), provider.aws.region and the network or proxy between here and AWS.'
          : undefined
    throw providerError(`aws: ${what} failed: ${name ? `${name}: ` : ''}${e.message}`, {
      ...(hint ? { hint } : {}),
      cause: error,
    })
  }
}
