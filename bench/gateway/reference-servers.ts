// Reference servers for bench/gateway/ceiling.ts: the least a Node process can do for each part of
// the gateway's work, to tell what Node itself costs from what the gateway adds. One process each,
// loopback only. Not a gateway: no routing, no errors handled beyond keeping the process up.
//
//   node bench/gateway/reference-servers.ts MODE PORT BACKEND_PORT
//
// MODE:
//   http-static        node:http answering the backend's document from memory (no backend call)
//   raw-proxy          net sockets, one backend connection per client connection, request and
//                      answer passed through byte for byte (the floor of an HTTP/1.1 proxy in Node)
//   raw-proxy-json     raw-proxy, the body decoded and re-encoded with JSON.parse/JSON.stringify
//                      (KrakenD re-encodes every JSON answer; Go-exact ordering not even included)
//   http-undici-json   node:http + an undici Pool + the same JSON step: the gateway's building blocks
//   h2-compat-static   node:http2, compatibility API (what the gateway uses), answer from memory
//   h2-stream-static   node:http2, core stream API, answer from memory
import { createServer as createHttpServer } from 'node:http'
import { createServer as createH2Server } from 'node:http2'
import { connect, createServer as createNetServer, type Socket } from 'node:net'
import { Pool } from 'undici'
import { benchDocument } from './lab.ts'

const [mode, portText, backendText] = process.argv.slice(2)
const port = Number(portText)
const backendPort = Number(backendText)
const document = Buffer.from(benchDocument('item'))
const BACKEND_REQUEST = Buffer.from(`GET /item HTTP/1.1\r\nhost: 127.0.0.1:${backendPort}\r\n\r\n`)

const reencode = (body: Buffer): Buffer => Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))))

/** Calls `onAnswer` with each complete Content-Length answer read from `socket`. */
function readAnswers(socket: Socket, onAnswer: (head: string, body: Buffer) => void): void {
  let pending: Buffer | undefined
  socket.on('data', (chunk: Buffer) => {
    pending = pending === undefined ? chunk : Buffer.concat([pending, chunk])
    for (;;) {
      const end: number = pending.indexOf('\r\n\r\n')
      if (end === -1) return
      const head: string = pending.toString('latin1', 0, end)
      const length: number = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0)
      if (pending.length < end + 4 + length) return
      const body = pending.subarray(end + 4, end + 4 + length)
      pending = pending.length === end + 4 + length ? undefined : pending.subarray(end + 4 + length)
      onAnswer(head, body)
      if (pending === undefined) return
    }
  })
}

/** Each client request (GET, no body) becomes one backend request on this connection's own backend socket. */
function rawProxy(transform: ((body: Buffer) => Buffer) | undefined): void {
  createNetServer({ noDelay: true }, (client) => {
    const backend = connect({ port: backendPort, host: '127.0.0.1', noDelay: true })
    client.on('error', () => backend.destroy())
    backend.on('error', () => client.destroy())
    client.on('close', () => backend.destroy())
    let unread = ''
    client.on('data', (chunk: Buffer) => {
      unread += chunk.toString('latin1')
      for (let end = unread.indexOf('\r\n\r\n'); end !== -1; end = unread.indexOf('\r\n\r\n')) {
        unread = unread.slice(end + 4)
        backend.write(BACKEND_REQUEST)
      }
    })
    readAnswers(backend, (head, body) => {
      if (transform === undefined) {
        client.write(`${head}\r\n\r\n`)
        client.write(body)
        return
      }
      const out = transform(body)
      client.write(
        `HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${out.length}\r\n\r\n`,
      )
      client.write(out)
    })
  }).listen(port, '127.0.0.1')
}

/** The compatibility-API handler (node:http and node:http2 alike) answering the document from memory. */
const answerFromMemory = (
  _req: unknown,
  res: {
    writeHead(status: number, headers: Record<string, string | number>): unknown
    end(body: Buffer): unknown
  },
) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': document.length })
  res.end(document)
}

switch (mode) {
  case 'http-static':
    createHttpServer(answerFromMemory).listen(port, '127.0.0.1')
    break
  case 'raw-proxy':
    rawProxy(undefined)
    break
  case 'raw-proxy-json':
    rawProxy(reencode)
    break
  case 'http-undici-json': {
    const pool = new Pool(`http://127.0.0.1:${backendPort}`, { connections: 256, pipelining: 1 })
    createHttpServer(async (_req, res) => {
      try {
        const answer = await pool.request({ path: '/item', method: 'GET' })
        const out = reencode(Buffer.from(await answer.body.arrayBuffer()))
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': out.length,
        })
        res.end(out)
      } catch {
        res.writeHead(502).end()
      }
    }).listen(port, '127.0.0.1')
    break
  }
  case 'h2-compat-static':
    createH2Server(answerFromMemory).listen(port, '127.0.0.1')
    break
  case 'h2-stream-static':
    createH2Server()
      .on('stream', (stream) => {
        stream.respond({
          ':status': 200,
          'content-type': 'application/json',
          'content-length': document.length,
        })
        stream.end(document)
      })
      .listen(port, '127.0.0.1')
    break
  default:
    console.error(`unknown mode ${mode}`)
    process.exit(2)
}
