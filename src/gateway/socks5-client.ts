/**
 * The SOCKS5 CONNECT Go's transport makes through a `socks5://` or `socks5h://` proxy (net/http's
 * bundled golang.org/x/net/internal/socks): no authentication offered, or none and
 * username/password when the proxy URL has a user; the target as a domain name unless it is an IP
 * literal (the proxy resolves it, for both schemes); errors worded as Go's
 * (`socks connect tcp <proxy>->host:port: unknown error connection refused`).
 */
import { isIP, type Socket } from 'node:net'

const VERSION = 5
const NO_AUTH = 0x00
const USER_PASSWORD = 0x02
const NO_ACCEPTABLE = 0xff
const CONNECT = 1
const REPLIES = [
  'succeeded',
  'general SOCKS server failure',
  'connection not allowed by ruleset',
  'network unreachable',
  'host unreachable',
  'connection refused',
  'TTL expired',
  'command not supported',
  'address type not supported',
]

export interface Socks5Target {
  host: string
  port: number
}

/** Runs the handshake on `socket` (connected to the proxy); `done()` once it carries the target's bytes. */
export function socks5Connect(
  socket: Socket,
  target: Socks5Target,
  user: { name: string; password: string } | undefined,
  done: (error?: Error) => void,
): void {
  const proxy = `${socket.remoteFamily === 'IPv6' ? `[${socket.remoteAddress}]` : socket.remoteAddress}:${socket.remotePort}`
  const destination = `${isIP(target.host) === 6 ? `[${target.host}]` : target.host}:${target.port}`
  const reader = new ExactReader(socket)
  const fail = (reason: string) => new Error(`socks connect tcp ${proxy}->${destination}: ${reason}`)
  const handshake = async () => {
    socket.write(Buffer.from(user ? [VERSION, 2, NO_AUTH, USER_PASSWORD] : [VERSION, 1, NO_AUTH]))
    const [version, method] = await reader.read(2)
    if (version !== VERSION) throw fail(`unexpected protocol version ${version}`)
    if (method === NO_ACCEPTABLE) throw fail('no acceptable authentication methods')
    if (user && method === USER_PASSWORD) await authenticate(socket, reader, user, fail)
    else if (user && method !== NO_AUTH) throw fail(`unsupported authentication method ${method}`)
    socket.write(connectRequest(target))
    const reply = await reader.read(4)
    if (reply[0] !== VERSION) throw fail(`unexpected protocol version ${reply[0]}`)
    if (reply[1] !== 0)
      throw fail(`unknown error ${REPLIES[reply[1] as number] ?? `unknown code: ${reply[1]}`}`)
    if (reply[2] !== 0) throw fail('non-zero reserved field')
    const type = reply[3]
    const length = type === 1 ? 4 : type === 4 ? 16 : type === 3 ? ((await reader.read(1))[0] as number) : -1
    if (length < 0) throw fail(`unknown address type ${type}`)
    await reader.read(length + 2)
  }
  handshake().then(
    () => {
      reader.release()
      done()
    },
    (error: Error) => {
      reader.release()
      done(error.message.startsWith('socks connect') ? error : fail(error.message))
    },
  )
}

async function authenticate(
  socket: Socket,
  reader: ExactReader,
  user: { name: string; password: string },
  fail: (reason: string) => Error,
): Promise<void> {
  const name = Buffer.from(user.name)
  const password = Buffer.from(user.password)
  if (name.length === 0 || name.length > 255 || password.length > 255) throw fail('invalid username/password')
  socket.write(Buffer.concat([Buffer.from([1, name.length]), name, Buffer.from([password.length]), password]))
  const [version, status] = await reader.read(2)
  if (version !== 1) throw fail('invalid username/password version')
  if (status !== 0) throw fail('username/password authentication failed')
}

/** CONNECT to an IPv4 or IPv6 literal, else to the name (at most 255 bytes). */
function connectRequest(target: Socks5Target): Buffer {
  const head = [VERSION, CONNECT, 0]
  const port = [target.port >> 8, target.port & 0xff]
  const family = isIP(target.host)
  if (family === 4) return Buffer.from([...head, 1, ...target.host.split('.').map(Number), ...port])
  if (family === 6) {
    const bytes = ipv6Bytes(target.host)
    // An IPv4-mapped address goes as IPv4, as Go's ip.To4() sends it.
    const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff
    return Buffer.from(mapped ? [...head, 1, ...bytes.slice(12), ...port] : [...head, 4, ...bytes, ...port])
  }
  const name = Buffer.from(target.host)
  if (name.length > 255) throw new Error('FQDN too long')
  return Buffer.concat([Buffer.from([...head, 3, name.length]), name, Buffer.from(port)])
}

/** The 16 bytes of an IPv6 address as WHATWG URLs write it (hex groups, at most one `::`). */
function ipv6Bytes(address: string): number[] {
  const [left = '', right] = address.split('::') as [string, string | undefined]
  const groups = (text: string) => (text === '' ? [] : text.split(':'))
  const head = groups(left)
  const tail = right === undefined ? [] : groups(right)
  const words = [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail]
  return words.flatMap((word) => {
    const value = Number.parseInt(word, 16)
    return [value >> 8, value & 0xff]
  })
}

/** io.ReadFull over a socket: `read(n)` resolves with exactly n bytes, or fails as Go's ReadFull does. */
class ExactReader {
  readonly #socket: Socket
  #buffered = Buffer.alloc(0)
  #waiting: { n: number; resolve: (bytes: Buffer) => void; reject: (error: Error) => void } | undefined
  #ended: Error | undefined
  readonly #onData = (chunk: Buffer) => {
    this.#buffered = Buffer.concat([this.#buffered, chunk])
    this.#settle()
  }
  readonly #onEnd = () => this.#finish(undefined)
  readonly #onError = (error: Error) => this.#finish(error)

  constructor(socket: Socket) {
    this.#socket = socket
    socket.on('data', this.#onData).once('end', this.#onEnd).once('error', this.#onError)
  }

  read(n: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.#waiting = { n, resolve, reject }
      this.#settle()
    })
  }

  /** Stops reading; bytes the proxy sent past the handshake go back to the socket. */
  release(): void {
    this.#socket.off('data', this.#onData).off('end', this.#onEnd).off('error', this.#onError)
    this.#socket.pause()
    if (this.#buffered.length > 0) this.#socket.unshift(this.#buffered)
  }

  #finish(error: Error | undefined): void {
    // io.ReadFull: EOF when nothing of the read arrived, unexpected EOF when part of it did.
    this.#ended = error ?? new Error(this.#buffered.length === 0 ? 'EOF' : 'unexpected EOF')
    this.#settle()
  }

  #settle(): void {
    const waiting = this.#waiting
    if (!waiting) return
    if (this.#buffered.length >= waiting.n) {
      this.#waiting = undefined
      const bytes = this.#buffered.subarray(0, waiting.n)
      this.#buffered = this.#buffered.subarray(waiting.n)
      waiting.resolve(bytes)
    } else if (this.#ended) {
      this.#waiting = undefined
      waiting.reject(this.#ended)
    }
  }
}
