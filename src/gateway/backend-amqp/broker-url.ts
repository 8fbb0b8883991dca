// The broker an AMQP backend dials: the first of its `host` list, read as amqp091-go's ParseURI
// and Dial read it (krakend-amqp calls amqp.Dial(remote.Host[0])): user and password (guest:guest
// when absent), host (localhost), port (5672, amqps 5671), the virtual host from the path ("/" when
// empty), `heartbeat` (seconds; 10 when absent) and `connection_timeout` (ms; 30 s) from the query;
// for amqps, `cacertfile` (else the system's CAs), `certfile` and `keyfile` (a client certificate
// when both are set) and `server_name_indication` (else the host), the files read at each dial.

import { hideCredentials } from '../config/url-credentials.ts'
import { parseGoQuery } from '../go-url.ts'

/** amqps: what amqp091-go's tlsConfigFromURI reads from the query. */
export interface AmqpTls {
  caCertFile: string
  certFile: string
  keyFile: string
  /** The name the certificate must hold (and SNI sends): server_name_indication, else the host. */
  serverName: string
}

export interface AmqpBroker {
  protocol: 'amqp' | 'amqps'
  hostname: string
  port: number
  username: string
  password: string
  vhost: string
  heartbeatSeconds: number
  connectTimeoutMs: number
  tls?: AmqpTls
  /** The URL with its password hidden, for logs and errors. */
  shown: string
}

/** What amqp091-go's Dial would do with `url`: the broker, or why this runtime refuses it. */
export function readAmqpBroker(url: string): AmqpBroker | { refused: string; hint: string } {
  const shown = hideCredentials(url)
  const refuse = (refused: string, hint = 'write it as amqp://user:password@host:5672/vhost') => ({
    refused: `host ${JSON.stringify(shown)}: ${refused}`,
    hint,
  })
  if (url.includes(' '))
    return refuse('amqp091-go refuses a URI with a space, so KrakenD could never connect')
  const match = AMQP_URL.exec(url)
  if (!match)
    return refuse(
      /^[a-z][a-z0-9+.-]*:/i.test(url) && !/^amqps?:/i.test(url)
        ? 'an AMQP backend dials its first host with amqp091-go, which takes only amqp:// and amqps:// URLs: KrakenD would fail every call'
        : 'not an amqp(s)://[user[:password]@]host[:port][/vhost][?query] URL this runtime reads as amqp091-go does',
    )
  const [, scheme = '', userinfo, host = '', port, path = '', query = ''] = match
  const protocol = scheme.toLowerCase() === 'amqps' ? 'amqps' : 'amqp'
  let username = 'guest'
  let password = 'guest'
  let vhost = '/'
  try {
    if (userinfo !== undefined) {
      const colon = userinfo.indexOf(':')
      username = decodeURIComponent(colon === -1 ? userinfo : userinfo.slice(0, colon))
      if (colon !== -1) password = decodeURIComponent(userinfo.slice(colon + 1))
    }
    // Go's u.Path, unescaped: "/" alone (or nothing) is the default virtual host.
    if (path.length > 1) vhost = decodeURIComponent(path.slice(1))
  } catch {
    return refuse("holds a malformed % escape, which Go's url.Parse refuses: KrakenD could never connect")
  }
  const params = parseGoQuery(query)
  let heartbeatSeconds = 10
  let connectTimeoutMs = 30_000
  const heartbeat = params.get('heartbeat')?.[0]
  if (heartbeat !== undefined) {
    if (!/^[+-]?\d+$/.test(heartbeat))
      return refuse(`heartbeat=${heartbeat} is not an integer (amqp091-go refuses it)`)
    heartbeatSeconds = Math.max(0, Number(heartbeat))
  }
  const timeout = params.get('connection_timeout')?.[0]
  if (timeout !== undefined) {
    if (!/^[+-]?\d+$/.test(timeout))
      return refuse(`connection_timeout=${timeout} is not an integer (amqp091-go refuses it)`)
    if (Number(timeout) > 0) connectTimeoutMs = Number(timeout)
  }
  const mechanisms = params.get('auth_mechanism') ?? []
  if (mechanisms.some((m) => m.toUpperCase() !== 'PLAIN'))
    return refuse(
      `auth_mechanism=${mechanisms.join(',')}: only PLAIN (the default) is supported by this runtime`,
      "remove auth_mechanism to authenticate with the URL's user and password",
    )
  const portNumber = port === undefined || port === '' ? (protocol === 'amqps' ? 5671 : 5672) : Number(port)
  if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535)
    return refuse(`port ${port} is not a TCP port`)
  const hostname = host.startsWith('[') ? host.slice(1, -1) : host || 'localhost'
  const tls: AmqpTls | undefined =
    protocol === 'amqps'
      ? {
          caCertFile: params.get('cacertfile')?.[0] ?? '',
          certFile: params.get('certfile')?.[0] ?? '',
          keyFile: params.get('keyfile')?.[0] ?? '',
          serverName: params.get('server_name_indication')?.[0] || hostname,
        }
      : undefined
  return {
    protocol,
    hostname,
    port: portNumber,
    username,
    password,
    vhost,
    heartbeatSeconds,
    connectTimeoutMs,
    ...(tls ? { tls } : {}),
    shown,
  }
}

// scheme (Go lower-cases it), user info up to the last "@", host (a [v6] literal or a name), port, path, query
const AMQP_URL =
  /^(amqps?):\/\/(?:([^/?#]*)@)?(\[[0-9A-Fa-f:.]+\]|[^/?#:@[\]]*)(?::(\d*))?(\/[^?#]*)?(?:\?([^#]*))?$/i
