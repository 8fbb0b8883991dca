/**
 * Connections through the proxy the environment names (proxy-environment.ts), as Go's transport
 * makes them: through an HTTP proxy an http URL goes to the proxy itself, its requests in absolute
 * form (`GET http://host/path HTTP/1.1`) with `Proxy-Authorization` after every other header, and
 * an https URL through a `CONNECT host:port` tunnel, then TLS with the backend inside it; through a
 * SOCKS5 proxy both go through its CONNECT (socks5-client.ts). A failure to reach the proxy reads
 * as Go's (`proxyconnect tcp: dial tcp ...`), a refused tunnel as the proxy's reason phrase.
 */
import type { Socket } from 'node:net'
import { GO_USER_AGENT, ProxyConnectError } from './go-http.ts'
import { goQuote } from './go-quote.ts'
import { type Environ, proxyChooser } from './proxy-environment.ts'
import { socks5Connect } from './socks5-client.ts'
import type { buildConnector } from './undici.ts'

type Connector = buildConnector.connector
type ConnectOptions = buildConnector.Options

/**
 * Go bounds the proxy's CONNECT exchange (and a SOCKS5 handshake) by the request's deadline, and
 * the HTTP CONNECT by a minute besides; the connector knows no request, so a minute bounds both.
 */
const CONNECT_EXCHANGE_MS = 60_000
/** A CONNECT answer's head larger than this is not an HTTP proxy's. */
const MAX_CONNECT_ANSWER_BYTES = 64 * 1024

/**
 * `connect` for direct connections; connections Go would make through a proxy go through it.
 * Without proxy variables, `connect` itself.
 */
export function throughEnvironmentProxy(connect: Connector, env: Environ): Connector {
  const proxyFor = proxyChooser(env)
  if (proxyFor === undefined) return connect
  return (opts, callback) => {
    const proxy = proxyFor(new URL(`${opts.protocol}//${opts.host ?? opts.hostname}`))
    if (proxy === undefined) return connect(opts, callback)
    const socks = proxy.scheme === 'socks5' || proxy.scheme === 'socks5h'
    const proxyUrl = `${proxy.scheme}://${bracketed(proxy.hostname)}:${proxy.port}`
    const toProxy: ConnectOptions = {
      // A SOCKS5 proxy is spoken to over plain TCP.
      protocol: socks ? 'http:' : `${proxy.scheme}:`,
      hostname: proxy.hostname,
      host: `${bracketed(proxy.hostname)}:${proxy.port}`,
      port: String(proxy.port),
      localAddress: opts.localAddress ?? null,
    }
    const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80)
    connect(toProxy, (error, connected) => {
      if (error) return callback(new ProxyConnectError(error, proxyUrl), null)
      const socket = connected as Socket
      const authorization = proxy.user && basicAuthorization(proxy.user)
      if (!socks && opts.protocol === 'http:') return callback(null, forwarding(socket, authorization))
      // A tunnel: the proxy's CONNECT (HTTP or SOCKS5), then the request, or TLS, inside it.
      const timer = setTimeout(
        () => socket.destroy(new Error('context deadline exceeded')),
        CONNECT_EXCHANGE_MS,
      )
      const opened = (failure?: Error) => {
        clearTimeout(timer)
        if (failure) {
          socket.destroy()
          callback(failure, null)
        } else if (opts.protocol === 'https:') connect({ ...opts, httpSocket: socket }, callback)
        else callback(null, socket)
      }
      if (socks)
        socks5Connect(socket, { host: opts.hostname.replace(/^\[|\]$/g, ''), port }, proxy.user, opened)
      else openTunnel(socket, `${opts.hostname}:${port}`, authorization, opened)
    })
  }
}

const basicAuthorization = (user: { name: string; password: string }) =>
  `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`

const bracketed = (hostname: string) =>
  hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname

/** A request line in origin form, as undici (and go-request-head.ts) write it. */
// The target may hold spaces Go writes raw in a query (see TARGET_SPACE).
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\/[^\r\n]*) HTTP\/1\.1\r\n/
const HOST_LINE = /\r\n[Hh]ost: ([^\r]*)\r\n/

/**
 * A connection to the proxy for http URLs: each request head is rewritten as it is written, its
 * target in absolute form (scheme, the Host header's value, path) and Proxy-Authorization last,
 * where Go's transport adds it. Body writes pass unchanged.
 */
function forwarding(socket: Socket, authorization: string | undefined): Socket {
  const write = socket.write as (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean
  const extra = authorization === undefined ? '' : `Proxy-Authorization: ${authorization}\r\n`
  socket.write = function (this: Socket, chunk: unknown, encoding?: unknown, callback?: unknown) {
    if (typeof chunk === 'string') {
      const line = REQUEST_LINE.exec(chunk)
      const host = line && HOST_LINE.exec(chunk)
      if (line && host) {
        const rest = chunk.slice(line[0].length - 2)
        // The head ends at its blank line; a chunked body's head has none yet (its first chunk
        // brings it), and an empty chunked body follows the blank line in the same write.
        const end = rest.indexOf('\r\n\r\n')
        const headers =
          end === -1 ? `${rest}${extra}` : `${rest.slice(0, end + 2)}${extra}${rest.slice(end + 2)}`
        chunk = `${line[1]} http://${host[1]}${line[2]} HTTP/1.1${headers}`
      }
    }
    return write.call(this, chunk, encoding, callback)
  } as Socket['write']
  return socket
}

/** Writes Go's CONNECT request and reads the proxy's answer: `done()` once the tunnel is open. */
function openTunnel(
  socket: Socket,
  target: string,
  authorization: string | undefined,
  done: (error?: Error) => void,
): void {
  let head = `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\nUser-Agent: ${GO_USER_AGENT}\r\n`
  if (authorization !== undefined) head += `Proxy-Authorization: ${authorization}\r\n`
  let received = Buffer.alloc(0)
  const finish = (error?: Error) => {
    socket.off('data', onData).off('error', finish).off('end', onEnd)
    socket.pause()
    done(error)
  }
  const onEnd = () => finish(new Error('unexpected EOF'))
  const onData = (chunk: Buffer) => {
    received = Buffer.concat([received, chunk])
    const end = received.indexOf('\r\n\r\n')
    if (end === -1) {
      if (received.length > MAX_CONNECT_ANSWER_BYTES) finish(new Error('net/http: proxy answer too long'))
      return
    }
    const verdict = connectVerdict(received.subarray(0, end).toString('latin1'))
    if (verdict === undefined && end + 4 < received.length) socket.unshift(received.subarray(end + 4))
    finish(verdict)
  }
  socket.on('data', onData).once('error', finish).once('end', onEnd)
  socket.write(`${head}\r\n`)
}

/**
 * The tunnel's verdict from the proxy's answer head, as Go's transport reads it: undefined for a
 * 200; otherwise the error Go returns, whose text is the answer's reason phrase.
 */
function connectVerdict(head: string): Error | undefined {
  const line = head.split('\r\n', 1)[0] as string
  const space = line.indexOf(' ')
  if (space === -1) return new Error(`malformed HTTP response ${goQuote(line)}`)
  const proto = line.slice(0, space)
  if (!/^HTTP\/\d\.\d$/.test(proto)) return new Error(`malformed HTTP version ${goQuote(proto)}`)
  const status = line.slice(space + 1).replace(/^ +/, '')
  const cut = status.indexOf(' ')
  const code = cut === -1 ? status : status.slice(0, cut)
  if (code.length !== 3 || !/^[+-]?\d+$/.test(code) || Number(code) < 0)
    return new Error(`malformed HTTP status code ${goQuote(code)}`)
  if (Number(code) === 200) return undefined
  return new Error(cut === -1 ? 'unknown status code' : status.slice(cut + 1))
}
