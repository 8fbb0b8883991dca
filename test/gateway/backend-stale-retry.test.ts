// Go's transport sends a replayable call again on each reused idle connection the backend resets
// before answering (roundTrip's retry loop takes the next idle connection each time), and on a new
// connection once none is left. Seen on KrakenD CE: three idle connections, a backend resetting
// every one of them, one GET: four backend requests.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { type AddressInfo, createServer, type Socket } from 'node:net'
import { describe, test } from 'node:test'
import { mustConfig, send, startGateway } from './helpers.ts'

interface Backend {
  origin: string
  /** The request methods each connection carried, in the order the connections opened. */
  connections: string[][]
  /** Whether a request on a connection that already carried one is reset (else answered). */
  resetReused: boolean
  /** Closes (FIN) the connection at `index` and waits until the gateway has closed its end. */
  closeIdle(index: number): Promise<void>
  close(): Promise<void>
}

/** A raw backend: answers `{}` after 100 ms, or resets a reused connection once told to. */
async function startBackend(): Promise<Backend> {
  const sockets = new Set<Socket>()
  const opened: Socket[] = []
  const backend: Backend = {
    origin: '',
    connections: [],
    resetReused: false,
    closeIdle: async (index) => {
      const socket = opened[index] as Socket
      const closed = once(socket, 'close')
      socket.end()
      await closed
    },
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
  const server = createServer((socket) => {
    sockets.add(socket)
    opened.push(socket)
    const methods: string[] = []
    backend.connections.push(methods)
    let text = ''
    socket.on('error', () => {})
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1')
      const end = text.indexOf('\r\n\r\n')
      if (end === -1) return
      const head = text.slice(0, end)
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
      if (text.length < end + 4 + length) return
      text = text.slice(end + 4 + length)
      methods.push(head.slice(0, head.indexOf(' ')))
      if (backend.resetReused && methods.length > 1) {
        setTimeout(() => socket.resetAndDestroy(), 3)
        return
      }
      setTimeout(() => {
        if (!socket.destroyed)
          socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}')
      }, 100)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  backend.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return backend
}

const GET = { path: '/get' }
const POST = { path: '/post', method: 'POST', headers: { 'Idempotency-Key': 'k1' } }

/** Three calls at once leave three idle connections; then the backend resets reused ones. */
async function afterThreeIdle(
  call: { path: string; method?: string; headers?: Record<string, string> },
  check: (status: number, backend: Backend) => void,
  closedWhileIdle: number[] = [],
) {
  const backend = await startBackend()
  const endpoint = (path: string, method: string) => ({
    endpoint: path,
    method,
    input_headers: ['Idempotency-Key'],
    backend: [{ host: [backend.origin], url_pattern: path, method }],
  })
  const gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '5s',
      endpoints: [endpoint('/get', 'GET'), endpoint('/post', 'POST')],
    }),
  )
  try {
    const warm = await Promise.all([1, 2, 3].map(() => send(gw.url, call)))
    assert.deepEqual(
      warm.map((r) => r.status),
      [200, 200, 200],
    )
    assert.equal(backend.connections.length, 3)
    for (const index of closedWhileIdle) await backend.closeIdle(index)
    backend.resetReused = true
    const res = await send(gw.url, call)
    check(res.status, backend)
  } finally {
    await gw.close()
    await backend.close()
  }
}

describe('reused connections reset before answering', () => {
  test('a GET goes out on each idle connection in turn, then on a new one that answers', async () => {
    await afterThreeIdle(GET, (status, backend) => {
      assert.equal(status, 200)
      assert.deepEqual(backend.connections, [['GET', 'GET'], ['GET', 'GET'], ['GET', 'GET'], ['GET']])
    })
  })

  test('a POST without a body but with an Idempotency-Key is replayable: the same, as in Go', async () => {
    await afterThreeIdle(POST, (status, backend) => {
      assert.equal(status, 200)
      assert.deepEqual(backend.connections, [['POST', 'POST'], ['POST', 'POST'], ['POST', 'POST'], ['POST']])
    })
  })

  test('connections the backend closed while idle are passed over: the GET takes the open one, then a new one', async () => {
    await afterThreeIdle(
      GET,
      (status, backend) => {
        assert.equal(status, 200)
        assert.deepEqual(backend.connections, [['GET'], ['GET'], ['GET', 'GET'], ['GET']])
      },
      [0, 1],
    )
  })
})
