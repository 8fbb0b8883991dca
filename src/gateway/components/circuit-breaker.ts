/**
 * `qos/circuit-breaker` (backend level), as krakend-circuitbreaker over sony/gobreaker: after more
 * than `max_errors` consecutive failures the circuit opens and calls fail at once ("circuit breaker
 * is open") for `timeout` seconds; then one trial call is let through (half-open): success closes
 * the circuit, failure opens it again. In the closed state the counts reset every `interval`
 * seconds (0: never).
 */
import type { Fields } from './fields.ts'

export interface CircuitBreakerConfig {
  name: string
  intervalS: number
  timeoutS: number
  maxErrors: number
  logChanges: boolean
}

export function parseCircuitBreaker(f: Fields): CircuitBreakerConfig {
  return {
    name: f.string('name') ?? '',
    intervalS: Math.trunc(f.number('interval') ?? 0),
    timeoutS: Math.trunc(f.number('timeout') ?? 0),
    maxErrors: Math.trunc(f.number('max_errors') ?? 0),
    logChanges: f.bool('log_status_change'),
  }
}

type State = 'closed' | 'half-open' | 'open'

export interface CircuitBreaker {
  /** An error message when the call may not go out. */
  before(): string | undefined
  after(ok: boolean): void
}

export function compileCircuitBreaker(
  cfg: CircuitBreakerConfig,
  log: (message: string) => void,
  now: () => number = Date.now,
): CircuitBreaker {
  const intervalMs = cfg.intervalS * 1000
  const timeoutMs = (cfg.timeoutS > 0 ? cfg.timeoutS : 60) * 1000
  let state: State = 'closed'
  let expiry = intervalMs > 0 ? now() + intervalMs : 0
  let requests = 0
  let consecutiveFailures = 0

  const setState = (next: State, at: number) => {
    if (next === state) return
    if (cfg.logChanges) log(`[CB] Circuit breaker named '${cfg.name}' went from '${state}' to '${next}'`)
    state = next
    requests = 0
    consecutiveFailures = 0
    expiry = next === 'closed' ? (intervalMs > 0 ? at + intervalMs : 0) : next === 'open' ? at + timeoutMs : 0
  }
  const current = (at: number): State => {
    if (state === 'closed' && expiry !== 0 && expiry <= at) {
      requests = 0
      consecutiveFailures = 0
      expiry = at + intervalMs
    } else if (state === 'open' && expiry <= at) setState('half-open', at)
    return state
  }

  return {
    before() {
      const s = current(now())
      if (s === 'open') return 'circuit breaker is open'
      if (s === 'half-open' && requests >= 1) return 'too many requests'
      requests += 1
      return undefined
    },
    after(ok) {
      const at = now()
      const s = current(at)
      if (ok) {
        consecutiveFailures = 0
        if (s === 'half-open') setState('closed', at)
      } else {
        consecutiveFailures += 1
        if (s === 'half-open' || (s === 'closed' && consecutiveFailures > cfg.maxErrors)) setState('open', at)
      }
    },
  }
}
