// An h2c client that sends a request's fields exactly as given (repeated names node:http2's client
// refuses, any value), as HPACK literals without Huffman coding, and reads how the stream was answered.
import { once } from 'node:events'
import { connect } from 'node:net'

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')
const HEADERS = 0x1
const RST_STREAM = 0x3
const SETTINGS = 0x4
const END_STREAM = 0x1
const END_HEADERS = 0x4

function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9)
  head.writeUIntBE(payload.length, 0, 3)
  head[3] = type
  head[4] = flags
  head.writeUInt32BE(stream, 5)
  return Buffer.concat([head, payload])
}

/** An HPACK string literal (no Huffman): a 7-bit-prefix length, then the bytes. */
function literal(text: string): Buffer {
  const bytes = Buffer.from(text, 'latin1')
  const length: number[] = []
  if (bytes.length < 127) length.push(bytes.length)
  else {
    length.push(127)
    let rest = bytes.length - 127
    while (rest >= 128) {
      length.push((rest % 128) + 128)
      rest = Math.floor(rest / 128)
    }
    length.push(rest)
  }
  return Buffer.concat([Buffer.from(length), bytes])
}

/** HPACK's static table entries for `:status` (an answer's first field when nghttp2 indexes it). */
const STATIC_STATUS: Record<number, number> = { 8: 200, 9: 204, 10: 206, 11: 304, 12: 400, 13: 404, 14: 500 }

export interface RawH2Answer {
  /** The status when the answer's head names it by a static table index (200, 204, 206, 304, 400, 404, 500). */
  status?: number
  /** RST_STREAM's error code when the stream was reset instead. */
  reset?: number
}

/** One request on a new connection: `fields` in order (pseudo-headers first), no body. */
export async function sendRawH2(baseUrl: string, fields: Array<[string, string]>): Promise<RawH2Answer> {
  const { hostname, port } = new URL(baseUrl)
  const socket = connect(Number(port), hostname)
  socket.on('error', () => {})
  await once(socket, 'connect')
  const block = Buffer.concat(
    fields.map(([name, value]) => Buffer.concat([Buffer.from([0]), literal(name), literal(value)])),
  )
  socket.write(
    Buffer.concat([
      PREFACE,
      frame(SETTINGS, 0, 0, Buffer.alloc(0)),
      frame(HEADERS, END_STREAM | END_HEADERS, 1, block),
    ]),
  )
  let buf = Buffer.alloc(0)
  try {
    for await (const chunk of socket) {
      buf = Buffer.concat([buf, chunk as Buffer])
      while (buf.length >= 9) {
        const length = buf.readUIntBE(0, 3)
        if (buf.length < 9 + length) break
        const type = buf[3]
        const stream = buf.readUInt32BE(5) & 0x7fffffff
        const payload = buf.subarray(9, 9 + length)
        buf = buf.subarray(9 + length)
        if (stream !== 1) continue
        if (type === RST_STREAM) return { reset: payload.readUInt32BE(0) }
        if (type === HEADERS) {
          const first = payload[0] ?? 0
          return (first & 0x80) !== 0 ? { status: STATIC_STATUS[first & 0x7f] } : {}
        }
      }
    }
    throw new Error('the connection closed before stream 1 was answered')
  } finally {
    socket.destroy()
  }
}
