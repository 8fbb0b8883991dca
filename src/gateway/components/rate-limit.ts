/**
 * `qos/ratelimit/router` (endpoint) and `qos/ratelimit/proxy` (backend) with krakend-ratelimit's
 * token buckets: the endpoint-wide limit answers 503, the per-client limit (strategy ip, header or
 * param) answers 429 (also when the client has no key), both with no body; a backend over its
 * limit fails like any failed backend ("rate limit exceded", KrakenD's spelling).
 */
import { MAX_TIMER_MS } from '../config/duration.ts'
import { goToLower } from '../go-unicode-case.ts'
import { monotonicMs } from '../monotonic-ms.ts'
import { goTrimSpace } from '../request-headers.ts'
import type { Fields } from './fields.ts'
import { type GuardContext, goHeaderGet, type IncomingLike, type Reply } from './types.ts'

/**
 * krakend-ratelimit's TokenBucket: starts with `capacity` tokens (clamped to 1 for its size only, so a
 * capacity of 0 starts empty), refills only once empty, whole intervals at a time.
 */
export class TokenBucket {
  private readonly fillNs: number
  private readonly capacity: number
  private tokens: number
  private lastRefill: number
  lastUsed: number

  constructor(rate: number, capacity: number) {
    const initialStock = Math.max(0, Math.floor(capacity))
    this.capacity = Math.max(1, initialStock)
    this.fillNs = Math.trunc(1e9 / Math.max(rate, 1e-9))
    this.tokens = initialStock
    this.lastRefill = nowNs()
    this.lastUsed = this.lastRefill
  }

  allow(now = nowNs()): boolean {
    this.lastUsed = now
    if (this.tokens > 0) {
      this.tokens -= 1
      return true
    }
    const add = Math.floor((now - this.lastRefill) / this.fillNs)
    if (add === 0) return false
    this.lastRefill += add * this.fillNs
    // More than a full bucket: refill to capacity without taking one (as krakendrate does).
    this.tokens = add > this.capacity ? this.capacity : add - 1
    return true
  }
}

const nowNs = () => monotonicMs() * 1e6

export interface RouterLimitConfig {
  maxRate: number
  capacity: number
  clientMaxRate: number
  clientCapacity: number
  strategy: 'ip' | 'header' | 'param' | undefined
  key: string
  ttlMs: number
  /** How often idle client buckets are looked for (krakend-ratelimit's cleanup_period). */
  cleanupMs: number
}

/**
 * `every` as krakend-ratelimit reads it: `time.ParseDuration(fmt.Sprintf("%v", v))`. Go prints a
 * JSON number without a unit, which does not parse (only 0 does); a string must be a duration.
 * Undefined when Go would fail to parse it (reported: write a duration).
 */
function everyMs(f: Fields): number | undefined {
  const raw = f.raw.every
  if (raw === 0) return 0
  if (typeof raw !== 'string') {
    f.report.error(f.at('every'), `"every" must be a duration like "1m", got ${JSON.stringify(raw)}`)
    return undefined
  }
  const ms = f.durationMs('every')
  if (ms !== undefined && ms > MAX_GO_DURATION_MS) {
    // time.ParseDuration fails past int64 nanoseconds, and krakend-ratelimit then limits per 1 s.
    f.report.error(
      f.at('every'),
      `"every" ${JSON.stringify(raw)} is longer than Go's longest duration (about 2562047h): KrakenD cannot parse it and would count the rates per second`,
      'write a shorter "every"',
    )
    return undefined
  }
  return ms
}

/** Go's time.Duration holds at most 2^63 - 1 ns (in ms, as near as a double gets). */
const MAX_GO_DURATION_MS = 2 ** 63 / 1e6

/**
 * krakendrate refills one token every int64(1e9 / rate) ns: above 1e9 per second that is 0, and
 * the first refill divides by zero (a Go panic on every request once the bucket is empty). The
 * limit would not hold as written in either runtime: refused.
 */
const MAX_RATE_PER_S = 1e9
function refuseTooFast(f: Fields, key: string, perSecond: number): void {
  if (perSecond > MAX_RATE_PER_S)
    f.report.error(
      f.at(key),
      `"${key}" is ${perSecond} per second${f.has('every') ? ` (scaled by "every")` : ''}: KrakenD's token bucket cannot refill faster than 1e9 per second and fails every request once it is empty`,
      'write a rate of at most 1e9 per second, or remove the limit',
    )
}

export function parseRouterLimit(f: Fields): RouterLimitConfig {
  const maxRateGiven = f.number('max_rate')
  const clientMaxRateGiven = f.number('client_max_rate')
  let maxRate = maxRateGiven ?? 0
  let clientMaxRate = clientMaxRateGiven ?? 0
  // A rate that is not a number, or misspelt, is refused where it is read or by the unknown-key checks.
  const reported =
    (f.has('max_rate') && maxRateGiven === undefined) ||
    (f.has('client_max_rate') && clientMaxRateGiven === undefined) ||
    f.misspells('max_rate') ||
    f.misspells('client_max_rate')
  if (maxRate === 0 && clientMaxRate === 0 && !reported)
    f.report.error(
      f.at('max_rate'),
      'the rate limit has no rate: neither "max_rate" nor "client_max_rate" is above 0, so it limits nothing',
      'KrakenD reads 0 as "no limit" and lets every request through; set "max_rate" (the endpoint) and/or "client_max_rate" with a "strategy" (per client), or remove the namespace',
    )
  let ttlMs = 10 * 60_000
  if (f.has('every')) {
    const parsed = everyMs(f)
    const every = parsed === undefined || parsed < 1000 ? 1000 : parsed
    maxRate *= 1000 / every
    clientMaxRate *= 1000 / every
    if (every > ttlMs) ttlMs = every * 1.25
  }
  refuseTooFast(f, 'max_rate', maxRate)
  refuseTooFast(f, 'client_max_rate', clientMaxRate)
  // krakend-ratelimit matches strings.ToLower(strategy): "İP" is "ip".
  const strategyRaw = f.string('strategy')
  const strategyLower = strategyRaw === undefined ? undefined : goToLower(strategyRaw)
  const strategy =
    strategyLower === 'ip' || strategyLower === 'header' || strategyLower === 'param'
      ? strategyLower
      : undefined
  if (clientMaxRate > 0 && strategy === undefined)
    f.report.error(
      f.at('strategy'),
      strategyRaw === undefined
        ? '"client_max_rate" needs a "strategy" ("ip", "header" or "param")'
        : `unknown strategy "${strategyRaw}"`,
      'KrakenD would silently drop the per-client limit; use "ip", "header" or "param"',
    )
  const key = f.string('key') ?? ''
  if ((strategy === 'header' || strategy === 'param') && key === '')
    f.report.error(f.at('key'), `strategy "${strategy}" needs a "key" (the ${strategy} name)`)
  let capacity = Math.floor(f.number('capacity') ?? 0)
  if (capacity === 0) capacity = maxRate < 1 ? 1 : Math.floor(maxRate)
  let clientCapacity = Math.floor(f.number('client_capacity') ?? 0)
  // krakend-ratelimit compares max_rate (not client_max_rate) here; kept for identical limits. A
  // client_max_rate below 1 then gives 0: each client's bucket starts empty (TokenBucket).
  if (clientCapacity === 0) clientCapacity = maxRate < 1 ? 1 : Math.floor(clientMaxRate)
  // Shards and cleanup threads only spread the buckets; they change no limit.
  f.number('num_shards')
  f.number('cleanup_threads')
  const cleanup = f.has('cleanup_period') ? f.durationMs('cleanup_period') : undefined
  const cleanupMs = cleanup === undefined ? 60_000 : Math.max(1000, cleanup)
  return { maxRate, capacity, clientMaxRate, clientCapacity, strategy, key, ttlMs, cleanupMs }
}

const TOO_MANY: Reply = { status: 429, headers: {}, body: '' }
const UNAVAILABLE: Reply = { status: 503, headers: {}, body: '' }

export function compileRouterLimit(
  cfg: RouterLimitConfig,
  clientIp: (req: IncomingLike) => string,
): (req: IncomingLike, ctx: GuardContext) => Reply | undefined {
  const global = cfg.maxRate > 0 ? new TokenBucket(cfg.maxRate, cfg.capacity) : undefined
  let client: ((req: IncomingLike, ctx: GuardContext) => boolean) | undefined
  if (cfg.clientMaxRate > 0 && cfg.strategy) {
    const buckets = new Map<string, TokenBucket>()
    const ttlNs = cfg.ttlMs * 1e6
    setInterval(
      () => {
        const now = nowNs()
        for (const [key, bucket] of buckets) if (now - bucket.lastUsed > ttlNs) buckets.delete(key)
      },
      Math.min(cfg.cleanupMs, MAX_TIMER_MS),
    ).unref()
    const lower = cfg.key.toLowerCase()
    const headerGet = (req: IncomingLike) => goHeaderGet(req, lower)
    const keyOf =
      cfg.strategy === 'ip'
        ? cfg.key
          ? (req: IncomingLike) => {
              const first = goTrimSpace((headerGet(req) ?? '').split(',')[0] ?? '')
              const ip = first.split(':')[0] ?? ''
              return first !== '' && isIpv4(ip) ? ip : clientIp(req)
            }
          : clientIp
        : cfg.strategy === 'header'
          ? (req: IncomingLike) => headerGet(req) ?? ''
          : (_req: IncomingLike, ctx: GuardContext) =>
              ctx.absentParams?.has(cfg.key) ? '' : (ctx.params[cfg.key] ?? '')
    client = (req, ctx) => {
      const key = keyOf(req, ctx)
      if (key === '') return false
      let bucket = buckets.get(key)
      if (!bucket) {
        bucket = new TokenBucket(cfg.clientMaxRate, cfg.clientCapacity)
        buckets.set(key, bucket)
      }
      return bucket.allow()
    }
  }
  return (req, ctx) => {
    // The per-client limiter wraps the endpoint-wide one, as in krakend-ratelimit.
    if (client && !client(req, ctx)) return TOO_MANY
    if (global && !global.allow()) return UNAVAILABLE
    return undefined
  }
}

/**
 * The part before the first ":" must parse as an IP (krakend-ratelimit's key header): Go's
 * net.ParseIP, which refuses leading zeros; v6 never survives that split.
 */
function isIpv4(ip: string): boolean {
  return /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/.test(ip) && ip.split('.').every((o) => Number(o) <= 255)
}

export interface ProxyLimitConfig {
  maxRate: number
  capacity: number
}

export function parseProxyLimit(f: Fields): ProxyLimitConfig {
  const maxRateGiven = f.number('max_rate')
  let maxRate = maxRateGiven ?? 0
  if (maxRate === 0 && !(f.has('max_rate') && maxRateGiven === undefined) && !f.misspells('max_rate'))
    f.report.error(
      f.at('max_rate'),
      'the rate limit has no rate: "max_rate" is not above 0, so it limits nothing',
      'KrakenD reads 0 as "no limit" and lets every request to this backend through; set "max_rate", or remove the namespace',
    )
  if (f.has('every')) {
    // krakend-ratelimit's proxy scales the rate by `every` too, with no 1 s floor (an invalid one is 1 s).
    const every = everyMs(f) ?? 1000
    if (every <= 0)
      f.report.error(
        f.at('every'),
        '"every" must be longer than 0',
        'KrakenD would compute an infinite rate; write a duration like "1s" or "1m"',
      )
    else maxRate *= 1000 / every
  }
  refuseTooFast(f, 'max_rate', maxRate)
  let capacity = Math.floor(f.number('capacity') ?? 0)
  if (capacity === 0) capacity = maxRate < 1 ? 1 : Math.floor(maxRate)
  return { maxRate, capacity }
}

export function compileProxyLimit(cfg: ProxyLimitConfig): (() => string | undefined) | undefined {
  if (cfg.maxRate <= 0) return undefined
  const bucket = new TokenBucket(cfg.maxRate, cfg.capacity)
  return () => (bucket.allow() ? undefined : 'rate limit exceded')
}
