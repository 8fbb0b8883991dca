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
  dns_cache_ttl: {
    read: 'duration',
    why: "it is the cache time of KrakenD's dns (SRV) service discovery, refused here",
  },
}

export function readTransport(value: Record<string, unknown>, fields: FieldReader): TransportOptions {
  const { timerAt, durationAt, intAt, boolAt, warn } = fields
  for (const [key, { read, why }] of Object.entries(WITHOUT_EFFECT)) {
    if (value[key] === undefined) continue
    if (read === 'int') intAt(value, key, [], 0)
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
    responseHeaderTimeoutMs: timerAt(value, 'response_header_timeout', [], 0),
    idleConnectionTimeoutMs: timerAt(value, 'idle_connection_timeout', [], 0),
    dialerTimeoutMs: timerAt(value, 'dialer_timeout', [], 0),
    dialerKeepAliveMs: timerAt(value, 'dialer_keep_alive', [], 0),
    dialerFallbackDelayMs: timerAt(value, 'dialer_fallback_delay', [], 0),
  }
}
