/**
 * The SDK clients, imported lazily (they are heavy). Credentials always come from the standard
 * chain (env, shared config/profile, instance/task role); adaptive retries back off on
 * throttling and retry transient failures `maxAttempts` times per call. Each attempt gets an
 * answer within the API timeout (the SDK's own default is to wait forever), and every call made
 * under `stoppedBy(signal, ...)` is stopped at once when that signal aborts (the run's interrupt).
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { EC2Client } from '@aws-sdk/client-ec2'
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import { providerError } from '../../core/errors.ts'
import { untilAborted } from '../../core/until-aborted.ts'
import { API_TIMEOUT_ENV, type AwsSettings, DEFAULT_API_TIMEOUT_S } from './settings.ts'

export type Ec2Sdk = typeof import('@aws-sdk/client-ec2')
export type ElbSdk = typeof import('@aws-sdk/client-elastic-load-balancing-v2')

export interface AwsClients {
  ec2: EC2Client
  elb: ElasticLoadBalancingV2Client
  ec2Sdk: Ec2Sdk
  elbSdk: ElbSdk
}

/** What every SDK client of ours is made with: the settings' region, profile, endpoint, retries and timeout. */
export function sdkClientConfig({ aws, apiTimeoutMs }: AwsSettings) {
  return {
    ...(aws.region ? { region: aws.region } : {}),
    ...(aws.profile ? { profile: aws.profile } : {}),
    ...(aws.endpoint ? { endpoint: aws.endpoint } : {}),
    maxAttempts: aws.maxAttempts,
    retryMode: 'adaptive',
    requestHandler: {
      requestTimeout: apiTimeoutMs,
      connectionTimeout: apiTimeoutMs,
      throwOnRequestTimeout: true,
    },
  }
}

/** The signal of the provider operation an SDK call is made for (none: a cleanup, which must run). */
const operationSignal = new AsyncLocalStorage<AbortSignal | undefined>()

/**
 * Runs `fn` so that every SDK call it makes (also through cached helpers and the lock) is stopped
 * at once when `signal` aborts, rejecting with the signal's reason as the engine's waits do —
 * not after the SDK's retries and timeouts. Without a signal, calls run to their end.
 */
export function stoppedBy<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  return operationSignal.run(signal, fn)
}

/** The client, its `send` made to follow the operation's signal (see stoppedBy). */
export function stoppable<C extends { send: unknown }>(client: C): C {
  const send = (client.send as (command: unknown, options?: object) => Promise<unknown>).bind(client)
  client.send = ((command: unknown, options?: object) => {
    const signal = operationSignal.getStore()
    if (!signal) return send(command, options)
    return untilAborted(send(command, { ...options, abortSignal: signal }), signal)
  }) as C['send']
  return client
}

/** Attempts of a call whose attempts time out (GWDEPLOY_AWS_API_TIMEOUT each); other failures get maxAttempts. */
export const TIMEOUT_ATTEMPTS = 2

interface RetryToken {
  getRetryCount(): number
}
interface RetryStrategy {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>
  refreshRetryTokenForRetry(token: RetryToken, errorInfo: { error?: unknown }): Promise<RetryToken>
  recordSuccess(token: RetryToken): void
}

/**
 * Set when a call timed out on every attempt it got; cleared by any answer. While it is set, a
 * timed-out call is not tried again: the cleanup after a silent endpoint (traffic back, green
 * torn down, the release record, the lock rule) costs one timeout per call, not two.
 */
let silentEndpoint = false

/**
 * A call that got no answer within the API timeout is tried TIMEOUT_ATTEMPTS times, not
 * maxAttempts: an endpoint silent for 30 s is not answering, and 8 x 30 s held each call (a
 * rollback, a `status`) for four minutes before it failed. Throttling and 5xx are answers: they keep
 * maxAttempts and the adaptive backoff. Wraps the client's own strategy (the middleware asks
 * config.retryStrategy() on every call).
 */
export function timeoutsTriedTwice<C extends { config: object }>(client: C): C {
  const config = client.config as { retryStrategy?: () => Promise<RetryStrategy> }
  const own = config.retryStrategy
  if (!own) return client
  let bounded: Promise<RetryStrategy> | undefined
  config.retryStrategy = () => {
    bounded ??= own().then((strategy) => ({
      acquireInitialRetryToken: (scope) => strategy.acquireInitialRetryToken(scope),
      refreshRetryTokenForRetry: async (token, errorInfo) => {
        const timedOut = (errorInfo.error as { name?: string } | undefined)?.name === 'TimeoutError'
        if (!timedOut) silentEndpoint = false
        else if (silentEndpoint || token.getRetryCount() + 1 >= TIMEOUT_ATTEMPTS) {
          silentEndpoint = true
          throw new Error('no retry: the call timed out on every attempt it gets')
        }
        return strategy.refreshRetryTokenForRetry(token, errorInfo)
      },
      recordSuccess: (token) => {
        silentEndpoint = false
        strategy.recordSuccess(token)
      },
    }))
    return bounded
  }
  return client
}

export async function createClients(settings: AwsSettings): Promise<AwsClients> {
  const [ec2Sdk, elbSdk] = await Promise.all([
    import('@aws-sdk/client-ec2'),
    import('@aws-sdk/client-elastic-load-balancing-v2'),
  ])
  const common = sdkClientConfig(settings)
  return {
    ec2: stoppable(timeoutsTriedTwice(new ec2Sdk.EC2Client(common))),
    elb: stoppable(timeoutsTriedTwice(new elbSdk.ElasticLoadBalancingV2Client(common))),
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

const THROTTLED =
  /^(Throttling|ThrottlingException|ThrottledException|RequestLimitExceeded|TooManyRequestsException|RequestThrottled|SlowDown)$/

/** Throttling or a 5xx the SDK retried until its attempts ran out: what happened and that a re-run continues. */
function retriedOut(
  name: string,
  metadata: { httpStatusCode?: number; attempts?: number } | undefined,
): string | undefined {
  const status = metadata?.httpStatusCode ?? 0
  const attempts = metadata?.attempts ?? 1
  const tries = `${attempts} attempt${attempts === 1 ? '' : 's'} (provider.aws.maxAttempts)`
  const rerun = 'Re-run the command: every step re-reads AWS and continues from what is done.'
  if (THROTTLED.test(name))
    return `AWS throttled the call on ${tries}: wait a minute and re-run, or raise provider.aws.maxAttempts. ${rerun}`
  if (status >= 500) return `AWS failed the call (HTTP ${status}) on ${tries}. ${rerun}`
  return undefined
}

const attemptsOf = (error: { $metadata?: { attempts?: number } }) => {
  const attempts = error.$metadata?.attempts
  return attempts === undefined
    ? 'every attempt '
    : attempts === 1
      ? '1 attempt '
      : `${attempts} attempts, each `
}

/** Wraps an SDK failure as exit 6 with what was being done; GwErrors pass through. */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if ((error as { name?: string }).name === 'GwError') throw error
    const name = awsErrorName(error)
    const e = error as Error & { code?: string; $metadata?: { httpStatusCode?: number; attempts?: number } }
    const unreachable =
      /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH)$/.test(
        e.code ?? '',
      ) ||
      /^(TimeoutError|RequestTimeout)$/.test(name) ||
      // Something answered that is not an AWS API (a wrong endpoint, a proxy): the SDK knows no error code.
      (e.message === 'Unknown' &&
        e.$metadata?.httpStatusCode !== undefined &&
        e.$metadata.httpStatusCode < 500)
    if (name === 'TimeoutError') {
      const ms = /(\d+) ms/.exec(e.message)?.[1]
      throw providerError(
        `aws: ${what}: AWS did not answer${ms ? ` within ${Number(ms) / 1000} s` : ''} (${attemptsOf(e)}timed out)`,
        {
          hint: `Check provider.aws.endpoint, the region and the network or proxy between here and AWS; ${API_TIMEOUT_ENV} (seconds, default ${DEFAULT_API_TIMEOUT_S}) sets how long each attempt waits.`,
          cause: error,
        },
      )
    }
    const hint = /Credential|ExpiredToken|UnrecognizedClient|InvalidClientTokenId|AuthFailure/.test(
      `${name} ${e.message}`,
    )
      ? 'Check the AWS credentials: the standard chain (AWS_PROFILE, provider.aws.profile, env, instance role).'
      : /AccessDenied|UnauthorizedOperation/.test(name)
        ? 'The caller lacks a permission: compare with templates/aws/iam-policy.json.'
        : unreachable
          ? 'AWS was not reached: check provider.aws.endpoint (remove it for AWS itself), provider.aws.region and the network or proxy between here and AWS.'
          : retriedOut(name, e.$metadata)
    throw providerError(`aws: ${what} failed: ${name ? `${name}: ` : ''}${e.message}`, {
      ...(hint ? { hint } : {}),
      cause: error,
    })
  }
}
