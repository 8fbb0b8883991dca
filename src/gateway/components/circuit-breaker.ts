/**
 * `qos/circuit-breaker` (backend level), as krakend-circuitbreaker over sony/gobreaker: after more
 * than `max_errors` consecutive failures the circuit opens and calls fail at once ("circuit breaker
 * is open") for `timeout` seconds; then one trial call is let through (half-open): success closes
 * the circuit, failure opens it again. In the closed state the counts reset every `interval`
 * seconds (0: never). Every change of state, and every interval, starts a new generation: a call
 * that ends in another generation than the one it started in is not counted (gobreaker's rule).
 * A call cancelled because the client left (Go's context.Canceled) counts neither way.
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
  const cfg = {
    name: f.string('name') ?? '',
    intervalS: wholeSeconds(f, 'interval'),
    timeoutS: wholeSeconds(f, 'timeout'),
    maxErrors: wholeSeconds(f, 'max_errors'),
    logChanges: f.bool('log_status_change'),
  }
  // gobreaker trips on ConsecutiveFailures > uint32(max_errors): above 2^32 - 1 the count wraps
  // (2^32 trips on the first failure), so the breaker would not open where the config says.
  if (cfg.maxErrors > 0xffffffff)
    f.report.error(
      f.at('max_errors'),
      `"max_errors" must be at most 4294967295, got ${cfg.maxErrors}: KrakenD compares it as a uint32, so it would wrap around`,
      'write the number of consecutive failures that should open the circuit',
    )
  // time.Duration(n) * time.Second wraps around past 2^63 - 1 ns: KrakenD would open the circuit for,
  // or count errors over, some other time (a negative one reads as the default).
  for (const key of ['timeout', 'interval'] as const) {
    const seconds = key === 'timeout' ? cfg.timeoutS : cfg.intervalS
    if (seconds > MAX_GO_DURATION_S)
      f.report.error(
        f.at(key),
        `"${key}" must be at most ${MAX_GO_DURATION_S} seconds, got ${seconds}: KrakenD multiplies it into a Go time.Duration, which would wrap around`,
        `write the ${key} in seconds`,
      )
  }
  // krakend-circuitbreaker compares the config with its zero value and then builds no breaker.
  if (cfg.name === '' && cfg.intervalS === 0 && cfg.timeoutS === 0 && cfg.maxErrors === 0 && !cfg.logChanges)
    f.report.error(
      f.path,
      'every setting of the circuit breaker is empty or zero, so KrakenD builds no circuit breaker at all',
      'set "interval", "timeout" and "max_errors" (or a "name"), or remove the namespace',
    )
  return cfg
}

/**
 * What krakend-circuitbreaker keeps of a setting: a JSON number as Go's int(float64), truncated
 * (-0.5 is 0); anything else it skips. A string or a negative number is refused, saying what
 * KrakenD would do with it instead.
 */
function wholeSeconds(f: Fields, key: 'interval' | 'timeout' | 'max_errors'): number {
  const raw = f.raw[key]
  if (typeof raw === 'string' || typeof raw === 'boolean') {
    f.report.error(
      f.at(key),
      `"${key}" must be a number, got ${JSON.stringify(raw)}: KrakenD skips a value of another type and runs the breaker with ${key === 'max_errors' ? '0 (the first failure opens it)' : key === 'timeout' ? 'its default timeout of 60 seconds' : 'no interval (counts never reset)'}`,
      key === 'max_errors'
        ? 'write the number of failures as a JSON number'
        : `write the ${key} in seconds, as a JSON number`,
    )
    return 0
  }
  const n = Math.trunc(f.number(key, Number.NEGATIVE_INFINITY) ?? 0)
  if (n >= 0) return n + 0
  f.report.error(
    f.at(key),
    `"${key}" must not be negative, got ${JSON.stringify(raw)}: ${NEGATIVE[key](n)}`,
    key === 'max_errors'
      ? 'write the number of consecutive failures (0 or more) that may pass before the circuit opens'
      : `write the ${key} in seconds (0 or more)`,
  )
  return 0
}

const NEGATIVE = {
  max_errors: (n: number) =>
    `KrakenD compares it as a uint32, so it becomes ${((n % 2 ** 32) + 2 ** 32) % 2 ** 32} consecutive failures`,
  timeout: () => 'KrakenD then keeps the circuit open for its default of 60 seconds',
  interval: () => 'KrakenD then never resets the counts',
}

/** The most whole seconds a Go time.Duration holds. */
const MAX_GO_DURATION_S = 9_223_372_036

type State = 'closed' | 'half-open' | 'open'

/** How a call ended: true (success), false (failure) or 'excluded' (cancelled by the client). */
export type Outcome = boolean | 'excluded'

export interface CircuitBreaker {
  /** An error message when the call may not go out. */
  before(): string | undefined
  /** The generation of the last call `before()` let through; give it back to `after()`. */
  readonly generation: number
  /** Counts a call's outcome; a call from an older generation (given) is ignored. */
  after(outcome: Outcome, generation?: number): void
}

export function compileCircuitBreaker(
  cfg: CircuitBreakerConfig,
  log: (message: string) => void,
  now: () => number = Date.now,
): CircuitBreaker {
  const intervalMs = cfg.intervalS * 1000
  const timeoutMs = (cfg.timeoutS > 0 ? cfg.timeoutS : 60) * 1000
  let state: State = 'closed'
  let generation = 0
  let expiry = 0
  let requests = 0
  let exclusions = 0
  let consecutiveFailures = 0

  const newGeneration = (at: number) => {
    generation += 1
    requests = 0
    exclusions = 0
    consecutiveFailures = 0
    expiry =
      state === 'closed' ? (intervalMs > 0 ? at + intervalMs : 0) : state === 'open' ? at + timeoutMs : 0
  }
  const setState = (next: State, at: number) => {
    if (next === state) return
    const previous = state
    state = next
    newGeneration(at)
    if (cfg.logChanges) log(`[CB] Circuit breaker named '${cfg.name}' went from '${previous}' to '${next}'`)
  }
  const current = (at: number): State => {
    // gobreaker compares nanoseconds strictly (expiry.Before(now)); at millisecond steps `<=` is the same moment.
    if (state === 'closed' && expiry !== 0 && expiry <= at) newGeneration(at)
    else if (state === 'open' && expiry <= at) setState('half-open', at)
    return state
  }
  newGeneration(now())

  return {
    get generation() {
      return generation
    },
    before() {
      const s = current(now())
      if (s === 'open') return 'circuit breaker is open'
      if (s === 'half-open' && requests - exclusions >= 1) return 'too many requests'
      requests += 1
      return undefined
    },
    after(outcome, from) {
      const at = now()
      const s = current(at)
      if (from !== undefined && from !== generation) return
      if (outcome === 'excluded') exclusions += 1
      else if (outcome) {
        if (s === 'closed') consecutiveFailures = 0
        else if (s === 'half-open') setState('closed', at)
      } else if (s === 'half-open') setState('open', at)
      else if (s === 'closed') {
        consecutiveFailures += 1
        if (consecutiveFailures > cfg.maxErrors) setState('open', at)
      }
    },
  }
}
