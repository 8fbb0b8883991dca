// Go's transport puts a keep-alive connection back among the idle ones as soon as the answer's body
// is read to its end, so the next call to the same backend host takes it. Seen on KrakenD CE: a
// sequential proxy's two backend calls go out on one connection, call after call.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { type AddressInfo, createServer, type Socket } from 'node:net'
import { describe, test } from 'node:test'
import { mustConfig, send, startGateway } from './helpers.ts'

/**
 * A raw keep-alive backend: answers 3 ms after each request (a `?ms=N` query: N ms; a path with
 * `fail`: a status line, then a reset); records each connection's paths.
 */
async function startBackend(answer: string) {
  const sockets = new Set<Socket>()
  const connections: string[][] = []
  const server = createServer((socket) => {
    sockets.add(socket)
    const paths: string[] = []
    connections.push(paths)
    let text = ''
    socket.on('error', () => {})
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1')
      const end = text.indexOf('\r\n\r\n')
      if (end === -1) return
      const target = text.slice(0, end).split(' ')[1] ?? ''
      paths.push(target)
      text = text.slice(end + 4)
      setTimeout(
        () => {
          if (socket.destroyed) return
          if (!target.includes('fail')) socket.write(answer)
          else socket.write('HTTP/1.1 200 OK\r\n', () => setTimeout(() => socket.resetAndDestroy(), 3))
        },
        Number(/[?&]ms=(\d+)/.exec(target)?.[1] ?? 3),
      )
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

const JSON_ANSWER = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}'

type RawBackend = Awaited<ReturnType<typeof startBackend>>

/** A gateway (timeout 3s) whose endpoints call one raw backend; both closed after `run`. */
async function withGateway(
  endpoints: (origin: string) => unknown[],
  run: (url: string, backend: RawBackend) => Promise<void>,
): Promise<void> {
  const backend = await startBackend(JSON_ANSWER)
  try {
    const gw = await startGateway(
      mustConfig({ version: 3, timeout: '3s', endpoints: endpoints(backend.origin) }),
    )
    try {
      await run(gw.url, backend)
    } finally {
      await gw.close()
    }
  } finally {
    await backend.close()
  }
}

/** `/get` passes `ms` (how long the backend waits before answering) to the backend's `/get`. */
const getEndpoint = (origin: string) => ({
  endpoint: '/get',
  input_query_strings: ['ms'],
  backend: [{ host: [origin], url_pattern: '/get' }],
})

describe('a connection is reused as soon as its answer is read', () => {
  test("a sequential proxy's calls share one connection, as in Go", async () => {
    const sequential = (origin: string) => [
      {
        endpoint: '/seq',
        extra_config: { proxy: { sequential: true } },
        backend: [
          { host: [origin], url_pattern: '/first' },
          { host: [origin], url_pattern: '/second' },
        ],
      },
    ]
    await withGateway(sequential, async (url, backend) => {
      for (let i = 0; i < 3; i += 1) assert.equal((await send(url, { path: '/seq' })).status, 200)
      assert.deepEqual(backend.connections, [['/first', '/second', '/first', '/second', '/first', '/second']])
    })
  })
  test('the next call takes the connection that went idle last, as Go takes its idle connections', async () => {
    await withGateway(
      (origin) => [getEndpoint(origin)],
      async (url, backend) => {
        // two calls at once open two connections; the one answered after 300 ms goes idle last
        const opened = await Promise.all([
          send(url, { path: '/get?ms=50' }),
          send(url, { path: '/get?ms=300' }),
        ])
        assert.deepEqual(
          opened.map((r) => r.status),
          [200, 200],
        )
        for (let i = 0; i < 2; i += 1) assert.equal((await send(url, { path: '/get' })).status, 200)
        const late = backend.connections.find((paths) => paths[0] === '/get?ms=300')
        const early = backend.connections.find((paths) => paths[0] === '/get?ms=50')
        assert.deepEqual([early, late], [['/get?ms=50'], ['/get?ms=300', '/get', '/get']])
      },
    )
  })
  test('a connection that failed during a call is passed over: the next call takes the other idle one', async () => {
    const getAndFail = (origin: string) => [
      getEndpoint(origin),
      { endpoint: '/fail', backend: [{ host: [origin], url_pattern: '/fail' }] },
    ]
    await withGateway(getAndFail, async (url, backend) => {
      await Promise.all([send(url, { path: '/get?ms=50' }), send(url, { path: '/get?ms=300' })])
      // the connection idle last takes the call and fails with it (an answer begun: no retry)
      assert.equal((await send(url, { path: '/fail' })).status, 500)
      assert.equal((await send(url, { path: '/get' })).status, 200)
      const early = backend.connections.find((paths) => paths[0] === '/get?ms=50')
      const late = backend.connections.find((paths) => paths[0] === '/get?ms=300')
      assert.deepEqual(
        [backend.connections.length, early, late],
        [2, ['/get?ms=50', '/get'], ['/get?ms=300', '/fail']],
      )
    })
  })
})
