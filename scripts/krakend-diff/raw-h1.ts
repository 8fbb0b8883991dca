// Raw HTTP/1 for krakend-diff: a case's bytes written as they are on one connection (smuggling,
// obs-fold, odd targets and spacing that node:http's client will not write), then every answer the
// gateway wrote on it, read until it closes or stays quiet for a moment.
import { connect } from 'node:net'

export interface RawAnswer {
  status: number
  message: string
  headers: string[]
  body: string
  chunked: boolean
}

const QUIET_MS = 700

/** The bytes the server wrote before it closed or went quiet (at most 8 s). */
export function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    let quiet: NodeJS.Timeout | undefined
    const done = () => {
      clearTimeout(quiet)
      clearTimeout(limit)
      socket.destroy()
      resolve(Buffer.concat(chunks).toString('latin1'))
    }
    const rearm = () => {
      clearTimeout(quiet)
      quiet = setTimeout(done, QUIET_MS)
    }
    const limit = setTimeout(done, 8000)
    socket.on('connect', () => {
      socket.write(Buffer.from(bytes, 'latin1'))
      rearm()
    })
    socket.on('data', (d: Buffer) => {
      chunks.push(d)
      rearm()
    })
    socket.on('error', done)
    socket.on('close', done)
  })
}

/** The answers in `text`, framed by Content-Length, chunked coding or the connection's end. */
export function parseAnswers(text: string, method = 'GET'): RawAnswer[] {
  const out: RawAnswer[] = []
  let at = 0
  while (at < text.length) {
    const end = text.indexOf('\r\n\r\n', at)
    if (end < 0) {
      out.push({ status: -2, message: 'unframed', headers: [], body: text.slice(at), chunked: false })
      break
    }
    const [line = '', ...fields] = text.slice(at, end).split('\r\n')
    const match = /^HTTP\/\d\.\d (\d{3}) ?(.*)$/.exec(line)
    const headers: string[] = []
    for (const field of fields) {
      const colon = field.indexOf(':')
      headers.push(field.slice(0, colon), field.slice(colon + 1).trim())
    }
    const get = (name: string) => {
      for (let i = 0; i < headers.length; i += 2)
        if (headers[i]?.toLowerCase() === name) return headers[i + 1]
      return undefined
    }
    const status = match ? Number(match[1]) : -2
    at = end + 4
    let body = ''
    const chunked = /chunked/i.test(get('transfer-encoding') ?? '')
    if (method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)) {
      // no body
    } else if (chunked) {
      for (;;) {
        const eol = text.indexOf('\r\n', at)
        if (eol < 0) break
        const size = Number.parseInt(text.slice(at, eol), 16)
        at = eol + 2
        if (!(size > 0)) {
          const trailerEnd = text.indexOf('\r\n', at)
          at = trailerEnd < 0 ? text.length : trailerEnd + 2
          break
        }
        body += text.slice(at, at + size)
        at += size + 2
      }
    } else if (get('content-length') !== undefined) {
      const length = Number(get('content-length'))
      body = text.slice(at, at + length)
      at += length
    } else {
      body = text.slice(at)
      at = text.length
    }
    out.push({ status, message: match?.[2] ?? line, headers, body, chunked })
  }
  return out
}
