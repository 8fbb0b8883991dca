/**
 * The service keys of lura's backend transport (its http.Transport and net.Dialer), read and
 * checked. Every one is validated; the ones that change nothing a client or backend notices are
 * read only to refuse bad values (see the README's deviations).
 */
import type { FieldReader } from './field-reader.ts'
import type { TransportOptions } from './types.ts'

export function readTransport(value: Record<string, unknown>, fields: FieldReader): TransportOptions {
  const { timerAt, durationAt, intAt, boolAt } = fields
  intAt(value, 'max_idle_connections', [], 0)
  intAt(value, 'max_idle_connections_per_host', [], 0)
  durationAt(value, 'expect_continue_timeout', [], 0)
  durationAt(value, 'dns_cache_ttl', [], 0)
  return {
    disableKeepAlives: boolAt(value, 'disable_keep_alives', [], false),
    responseHeaderTimeoutMs: timerAt(value, 'response_header_timeout', [], 0),
    idleConnectionTimeoutMs: timerAt(value, 'idle_connection_timeout', [], 0),
    dialerTimeoutMs: timerAt(value, 'dialer_timeout', [], 0),
    dialerKeepAliveMs: timerAt(value, 'dialer_keep_alive', [], 0),
    dialerFallbackDelayMs: timerAt(value, 'dialer_fallback_delay', [], 0),
  }
}
