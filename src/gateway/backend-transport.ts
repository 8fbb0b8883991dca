// lura's backend transport settings (Go's http.Transport and net.Dialer fields) as undici pool and
// connector options: pure, so what each setting becomes is tested without sockets.
import type { TransportOptions } from './config/types.ts'
import type { buildConnector } from './undici.ts'

/** Go's net.Dialer keep-alive period when KeepAlive is 0 (lura's default). */
const GO_KEEP_ALIVE_MS = 15_000
/** Go's net.Dialer FallbackDelay when it is 0. */
const GO_FALLBACK_DELAY_MS = 300

export interface ConnectOptions {
  timeout: number
  keepAliveInitialDelay: number
  autoSelectFamilyAttemptTimeout: number
}

/**
 * The connector's options. Go's dialer has no timeout of its own unless dialer_timeout is set;
 * the request's deadline bounds the dial. The runtime stands for that deadline with the service
 * timeout (at least 1 s), as it did before dialer_timeout was read.
 */
export function connectOptions(transport: TransportOptions, serviceTimeoutMs: number): ConnectOptions {
  return {
    timeout: transport.dialerTimeoutMs > 0 ? transport.dialerTimeoutMs : Math.max(1000, serviceTimeoutMs),
    keepAliveInitialDelay: transport.dialerKeepAliveMs > 0 ? transport.dialerKeepAliveMs : GO_KEEP_ALIVE_MS,
    autoSelectFamilyAttemptTimeout:
      transport.dialerFallbackDelayMs > 0 ? transport.dialerFallbackDelayMs : GO_FALLBACK_DELAY_MS,
  }
}

/**
 * Go's net.Dialer with a negative Timeout (a negative dialer_timeout): its deadline is already
 * past, so every dial fails at once, worded `dial tcp host:port: i/o timeout` (go-http.ts).
 */
export const pastDeadlineDial: buildConnector.connector = (_options, callback) => {
  const error = Object.assign(new Error('dial deadline already past: dialer_timeout is negative'), {
    code: 'UND_ERR_CONNECT_TIMEOUT',
  })
  process.nextTick(callback, error, null)
}

export interface PoolOptions {
  /** Open connections per origin; null: as many as calls run at once. */
  connections: number | null
  pipelining: number
  keepAliveTimeout: number
  keepAliveMaxTimeout: number
}

/** Unset idle_connection_timeout: how long an idle connection is kept, and the most a backend's hint gets. */
const UNSET_IDLE_MS = 30_000
const UNSET_IDLE_HINT_MAX_MS = 60_000

/**
 * A pool's options. pipelining 0 is undici's keep-alive off: a connection per request, closed
 * after its answer. Unset, Go's IdleConnTimeout 0 (lura's default) keeps an idle connection until
 * the backend closes it; here idle connections close after 30 s (before nginx's 75 s or Go's 90 s
 * close them): a call that meets a connection the backend is just closing fails unless it is
 * replayable (stale-connection.ts), so fewer such races is fewer failed calls. A backend's
 * `Keep-Alive: timeout=` hint is taken up to 60 s.
 */
export function poolOptions(transport: TransportOptions, connectionsPerHost: number | null): PoolOptions {
  const set = transport.idleConnectionTimeoutMs
  return {
    connections: connectionsPerHost,
    pipelining: transport.disableKeepAlives ? 0 : 1,
    keepAliveTimeout: set > 0 ? set : UNSET_IDLE_MS,
    keepAliveMaxTimeout: set > 0 ? set : UNSET_IDLE_HINT_MAX_MS,
  }
}

/**
 * The wait for a backend's headers in one call: the endpoint's time, or response_header_timeout
 * when that is set and shorter (then its expiry is Go's ResponseHeaderTimeout error, not the
 * endpoint's deadline).
 */
export function headersTimeout(transport: TransportOptions, timeoutMs: number): number {
  const limit = transport.responseHeaderTimeoutMs
  return limit > 0 && limit < timeoutMs ? limit : timeoutMs
}
