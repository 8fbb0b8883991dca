/**
 * The service keys of lura's backend transport (its http.Transport and net.Dialer), read and
 * checked. Every one is validated; the ones that change nothing a client or backend notices are
 * read only to refuse bad values (see the README's deviations).
 */
import type { FieldReader } from './field-reader.ts'
import type { TransportOptions } from './types.ts'

/** Keys read only to refuse bad values: why each changes nothing here (a warning says so when set). */
const WITHOUT_EFFECT: Record<string, { read: 'int' | 'duration'; why: string }> = {
  max_idle_connections: {
    read: 'int',
    why: 'idle backend connections are closed after idle_connection_timeout (30 s unset), however many there are',
  },
  max_idle_connections_per_host: {
    read: 'int',
    why: 'idle backend connections are closed after idle_connection_timeout (30 s unset), however many there are',
  },
  expect_continue_timeout: {
    read: 'duration',
    why: 'a forwarded Expect: 100-continue goes out with its body at once, as in KrakenD with it unset',
  },
}

/**
 * What Go's transport does with a negative value of each duration key, which KrakenD takes as
 * written (mapstructure reads -5 as -5 ns, time.ParseDuration reads "-5s"): `same` is what it does
 * with 0 (unset), `warn` says how KrakenD then differs from this runtime.
 */
const NEGATIVE_DURATION: Record<string, { same: true } | { same: false; krakend: string; here: string }> = {
  idle_connection_timeout: { same: true },
  response_header_timeout: { same: true },
  expect_continue_timeout: { same: true },
  dialer_keep_alive: {
    same: false,
    krakend: "Go's dialer then turns TCP keep-alive probes off",
    here: 'they stay on, every 15 s as with it unset',
  },
  dialer_fallback_delay: {
    same: false,
    krakend: "Go's dialer then turns off the IPv4 fallback racing a slow IPv6 connect",
    here: 'it runs after 300 ms as with it unset',
  },
}

/** Why idle connections differ with a negative max_idle_connections(_per_host). */
const NEGATIVE_IDLE =
  "KrakenD takes it, and Go's transport then keeps no idle connection (every backend call opens a new one); this runtime reuses them"

export function readTransport(value: Record<string, unknown>, fields: FieldReader): TransportOptions {
  const { timerAt, durationAt, intAt, boolAt, warn } = fields
  /** The key's value, with a negative duration reported as Go treats it and read as 0. */
  const durationKey = (key: string): number => {
    const signed = timerAt(value, key, [], 0)
    if (signed >= 0) return signed
    const negative = NEGATIVE_DURATION[key]
    if (key === 'dialer_timeout') {
      warn(
        [key],
        `"dialer_timeout" is negative (${JSON.stringify(value[key])}): Go's dialer then gives up on every backend connection at once (its deadline is already past), so every backend call fails (\`dial tcp host:port: i/o timeout\`), in KrakenD as here`,
        'remove it (unset: the request\'s timeout bounds the dial) or give a positive duration like "3s"',
      )
      return signed
    }
    if (negative !== undefined && !negative.same && fields.runtime !== 'krakend')
      warn(
        [key],
        `"${key}" is negative (${JSON.stringify(value[key])}): in KrakenD ${negative.krakend}; here ${negative.here}`,
        `remove it, or keep it for KrakenD (image.runtime: krakend)`,
      )
    return 0
  }
  for (const [key, { read, why }] of Object.entries(WITHOUT_EFFECT)) {
    if (value[key] === undefined) continue
    if (read === 'int') {
      const n = intAt(value, key, [], 0, Number.MIN_SAFE_INTEGER)
      if (n < 0 && fields.runtime !== 'krakend') {
        warn(
          [key],
          `"${key}" is negative (${n}): ${NEGATIVE_IDLE}`,
          'remove it, or keep it for KrakenD (image.runtime: krakend)',
        )
        continue
      }
    } else if (key === 'expect_continue_timeout') durationKey(key)
    else durationAt(value, key, [], 0)
    // KrakenD itself (image.runtime: krakend) applies them.
    if (fields.runtime !== 'krakend')
      warn(
        [key],
        `"${key}" has no effect in this runtime: ${why}`,
        'remove it, or keep it for KrakenD (image.runtime: krakend)',
      )
  }
  return {
    disableKeepAlives: boolAt(value, 'disable_keep_alives', [], false),
    responseHeaderTimeoutMs: durationKey('response_header_timeout'),
    idleConnectionTimeoutMs: durationKey('idle_connection_timeout'),
    dialerTimeoutMs: durationKey('dialer_timeout'),
    dialerKeepAliveMs: durationKey('dialer_keep_alive'),
    dialerFallbackDelayMs: durationKey('dialer_fallback_delay'),
    // lura's SetTTL ignores a value below 1 s (the discovery's default stands)
    dnsCacheTtlMs: timerAt(value, 'dns_cache_ttl', [], 0),
  }
}
