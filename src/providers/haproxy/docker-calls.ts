/**
 * Every Docker API request gwdeploy sends, bounded. docker-modem waits forever for an answer by
 * default, so a dockerd that accepts the connection and never answers (hung, overloaded, a proxy
 * in front of it that lost its upstream) held a release, a rollback or `status` — and Ctrl-C — for
 * good. Each request now ends at the run's signal (exit 130) or after GWDEPLOY_DOCKER_API_TIMEOUT
 * (exit 6 naming the host and the request); streams (a pull) end when they stay silent that long.
 */

import { secondsFromEnv } from '../../core/env-seconds.ts'
import { providerError } from '../../core/errors.ts'
import { untilAborted } from '../../core/until-aborted.ts'
import type { DockerHostConfig } from './docker-connection.ts'

export const DOCKER_TIMEOUT_ENV = 'GWDEPLOY_DOCKER_API_TIMEOUT'
const DEFAULT_DOCKER_TIMEOUT_S = 30

/** How long one Docker request may wait for its answer (a number of seconds above 0; default 30). */
export function dockerTimeoutMs(environment: NodeJS.ProcessEnv = process.env): number {
  return secondsFromEnv(DOCKER_TIMEOUT_ENV, DEFAULT_DOCKER_TIMEOUT_S, environment)
}

/** The Docker host accepted the request and did not answer in time: exit 6 naming it and the way out. */
function noAnswerError(host: DockerHostConfig, what: string, timeoutMs: number) {
  return providerError(
    `haproxy: the Docker host ${host.host} did not answer within ${timeoutMs / 1000} s (${what})`,
    {
      hint: `dockerd there accepts connections but does not answer: check it (\`docker -H ${host.host} info\`, its load, its disk) and run the command again once it answers — a release or rollback converges from where it stopped. ${DOCKER_TIMEOUT_ENV} (seconds, default ${DEFAULT_DOCKER_TIMEOUT_S}) sets how long one request may take. A host that is gone for good: remove it from provider.haproxy.dockerHosts.`,
    },
  )
}

export interface CallBounds {
  /** The run's interrupt: the request stops and the call rejects with its reason (exit 130). */
  signal?: AbortSignal | undefined
  timeoutMs: number
}

/**
 * `request` with an abortSignal that fires on the run's signal or after `timeoutMs`. The
 * request's socket is destroyed either way (docker-modem passes the signal to http.request), so
 * nothing is left holding the process.
 */
export async function dockerCall<T>(
  host: DockerHostConfig,
  what: string,
  bounds: CallBounds,
  request: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { signal, timeoutMs } = bounds
  if (signal?.aborted) throw signal.reason
  const timeout = new AbortController()
  const timer = setTimeout(() => timeout.abort(noAnswerError(host, what, timeoutMs)), timeoutMs)
  const abortSignal = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal
  try {
    // Over ssh docker-modem may never settle an aborted request: the race ends it all the same.
    return await untilAborted(request(abortSignal), abortSignal)
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    if (timeout.signal.aborted) throw timeout.signal.reason
    throw error
  } finally {
    clearTimeout(timer)
  }
}

/**
 * An abortSignal for a stream (a pull's progress): it fires on the run's signal, or when the
 * stream stays silent for `timeoutMs`; `heard()` on every chunk restarts the count.
 */
export function silenceBound(host: DockerHostConfig, what: string, bounds: CallBounds) {
  const silence = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const heard = () => {
    clearTimeout(timer)
    timer = setTimeout(
      () => silence.abort(noAnswerError(host, `${what}: silent`, bounds.timeoutMs)),
      bounds.timeoutMs,
    )
  }
  heard()
  const abortSignal = bounds.signal ? AbortSignal.any([bounds.signal, silence.signal]) : silence.signal
  return {
    abortSignal,
    heard,
    done: () => clearTimeout(timer),
    /** The reason to throw when the stream failed: the interrupt, the silence, or the error itself. */
    reason: (error: unknown) =>
      bounds.signal?.aborted ? bounds.signal.reason : silence.signal.aborted ? silence.signal.reason : error,
  }
}
