// lura's service-level backend transport settings (Go's http.Transport and net.Dialer) on real
// sockets: what backends see on the wire and when a backend call fails.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer as createHttpServer } from 'node:http'
import { type AddressInfo, connect, createServer, type Socket } from 'node:net'
import { after, describe, test } from 'node:test'
import { Worker } from 'node:worker_threads'
import { Agent, request } from 'undici'
import { connectOptions, headersTimeout, poolOptions } from '../../src/gateway/backend-transport.ts'
import type { TransportOptions } from '../../src/gateway/config/types.ts'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { type ClientRequest, mustConfig, rawRequest, send, sendRaw, startGateway } from './helpers.ts'

const UNSET: TransportOptions = {
  disableKeepAlives: false,
  responseHeaderTimeoutMs: 0,
  idleConnectionTimeoutMs: 0,
  dialerTimeoutMs: 0,
  dialerKeepAliveMs: 0,
  dialerFallbackDelayMs: 0,
  dnsCacheTtlMs: 0,
}

interface Connection {
  /** The request heads read on it, each without its blank line. */
  heads: string[]
  /** Resolves when the connection closes. */
  closed: Promise<void>
  /** True when the backend closed it (it never does unless told to). */
  closedByBackend: boolean
}

/** The nth request on every connection gets no answer (or part of one): the backend closes (FIN) or resets the connection. */
interface Drop {
  nth: number
  how: 'fin' | 'reset' | 'partial'
  /** Holds the request this long first. */
  afterMs?: number
}

interface RawBackend {
  origin: string
  connections: Connection[]
  close(): Promise<void>
}

/**
 * A backend on a bare socket, so the request heads are seen byte for byte and every connection is
 * counted. It answers `{}` after `delayMs`, and never closes a connection itself.
 */
async function startRawBackend(delayMs = 0, drop?: Drop): Promise<RawBackend> {
  const connections: Connection[] = []
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    const conn: Connection = {
      heads: [],
      closed: once(socket, 'close').then(() => {}),
      closedByBackend: false,
    }
    connections.push(conn)
    let text = ''
    socket.on('error', () => {})
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1')
      for (;;) {
        const end = text.indexOf('\r\n\r\n')
        if (end === -1) return
        const head = text.slice(0, end)
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
        let rest = text.slice(end + 4)
        if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
          const last = rest.indexOf('0\r\n\r\n')
          if (last === -1) return
          rest = rest.slice(last + 5)
        } else {
          if (rest.length < length) return
          rest = rest.slice(length)
        }
        text = rest
        conn.heads.push(head)
        if (drop && conn.heads.length === drop.nth) {
          // What a backend closing an idle connection just as a request arrives looks like.
          const close = () => {
            if (drop.how === 'fin') socket.end()
            else if (drop.how === 'partial') socket.end('HTTP/1.1 200 OK\r\nContent-')
            else socket.resetAndDestroy()
          }
          if (drop.afterMs) setTimeout(close, drop.afterMs)
          else close()
          return
        }
        // A HEAD answer announces the body it does not carry.
        const body = head.startsWith('HEAD ') ? '' : '{}'
        setTimeout(() => {
          if (!socket.destroyed)
            socket.write(
              `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n${body}`,
            )
        }, delayMs)
      }
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

const headerLines = (head: string) => head.split('\r\n').slice(1)

function gatewayConfig(origin: string, service: Record<string, unknown>, timeout = '5s') {
  return mustConfig({
    version: 3,
    timeout,
    extra_config: { router: { return_error_msg: true } },
    ...service,
    endpoints: [
      { endpoint: '/get', backend: [{ host: [origin], url_pattern: '/get' }] },
      {
        endpoint: '/post',
        method: 'POST',
        backend: [{ host: [origin], url_pattern: '/post', method: 'POST' }],
      },
    ],
  })
}

async function withGateway(
  service: Record<string, unknown>,
  run: (url: string, backend: RawBackend) => Promise<void>,
  options: { delayMs?: number; timeout?: string; drop?: Drop } = {},
) {
  const backend = await startRawBackend(options.delayMs, options.drop)
  const gw = await startGateway(gatewayConfig(backend.origin, service, options.timeout))
  try {
    await run(gw.url, backend)
  } finally {
    await gw.close()
    await backend.close()
  }
}

describe('what each setting becomes (undici options)', () => {
  test("unset: Go's dialer defaults, idle connections closed after 30 s (undici does not retry on a stale one), the service timeout bounds a connect", () => {
    assert.deepEqual(poolOptions(UNSET, 256), {
      connections: 256,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
    })
    assert.deepEqual(connectOptions(UNSET, 2000), {
      timeout: 2000,
      keepAliveInitialDelay: 15_000,
      autoSelectFamilyAttemptTimeout: 300,
    })
    assert.deepEqual(connectOptions(UNSET, 200).timeout, 1000)
    assert.equal(headersTimeout(UNSET, 5000), 5000)
  })

  test('set: each setting reaches its option', () => {
    const set: TransportOptions = {
      disableKeepAlives: true,
      responseHeaderTimeoutMs: 200,
      idleConnectionTimeoutMs: 90_000,
      dialerTimeoutMs: 300,
      dialerKeepAliveMs: 30_000,
      dialerFallbackDelayMs: 50,
      dnsCacheTtlMs: 0,
    }
    assert.deepEqual(poolOptions(set, 8), {
      connections: 8,
      pipelining: 0,
      keepAliveTimeout: 90_000,
      keepAliveMaxTimeout: 90_000,
    })
    assert.deepEqual(connectOptions(set, 2000), {
      timeout: 300,
      keepAliveInitialDelay: 30_000,
      autoSelectFamilyAttemptTimeout: 50,
    })
    assert.equal(headersTimeout(set, 5000), 200)
    assert.equal(headersTimeout(set, 100), 100, 'a shorter endpoint timeout still wins')
  })
})

describe('config', () => {
  test('the settings are read from the service level', () => {
    const config = mustConfig({
      version: 3,
      disable_keep_alives: true,
      response_header_timeout: '200ms',
      idle_connection_timeout: '1m30s',
      dialer_timeout: '3s',
      dialer_keep_alive: '30s',
      dialer_fallback_delay: '100ms',
      max_idle_connections: 10,
      max_idle_connections_per_host: 5,
      expect_continue_timeout: '1s',
      dns_cache_ttl: '30s',
      endpoints: [],
    })
    assert.deepEqual(config.transport, {
      disableKeepAlives: true,
      responseHeaderTimeoutMs: 200,
      idleConnectionTimeoutMs: 90_000,
      dialerTimeoutMs: 3000,
      dialerKeepAliveMs: 30_000,
      dialerFallbackDelayMs: 100,
      dnsCacheTtlMs: 30_000,
    })
  })

  test('the settings without effect here are each a warning at its path, not for the KrakenD image', () => {
    const raw = {
      version: 3,
      name: 'transport',
      max_idle_connections: 10,
      max_idle_connections_per_host: 5,
      expect_continue_timeout: '1s',
      dns_cache_ttl: '30s',
      idle_connection_timeout: '1m',
      endpoints: [],
    }
    const bundled = validateGatewayConfig(raw)
    assert.deepEqual(bundled.errors, [])
    assert.deepEqual(bundled.warnings.map((w) => w.location?.path).sort(), [
      'expect_continue_timeout',
      'max_idle_connections',
      'max_idle_connections_per_host',
    ])
    for (const w of bundled.warnings) assert.match(w.message, /has no effect in this runtime: /)
    assert.deepEqual(validateGatewayConfig(raw, { runtime: 'krakend' }).warnings, [])
  })

  const refused: Array<[string, unknown, string]> = [
    ['response_header_timeout', '1 minute', 'is not a duration'],
    ['idle_connection_timeout', 'soon', 'is not a duration'],
    ['dialer_timeout', '5 s', 'is not a duration'],
    ['dialer_keep_alive', '1x', 'is not a duration'],
    ['dialer_fallback_delay', '', 'is not a duration'],
    ['expect_continue_timeout', '1 ms', 'is not a duration'],
    ['dns_cache_ttl', 'forever', 'is not a duration'],
    ['disable_keep_alives', 'yes', 'must be true or false'],
    ['max_idle_connections', 'many', 'must be an integer'],
    // mapstructure truncates a number (1.5 is 1) but cannot parse this text: KrakenD does not start.
    ['max_idle_connections_per_host', '1.5', 'must be an integer'],
  ]
  for (const [key, value, message] of refused)
    test(`${key}: ${JSON.stringify(value)} is refused at its path`, () => {
      const result = validateGatewayConfig({ version: 3, endpoints: [], [key]: value })
      assert.equal(result.config, undefined)
      const problem = result.errors.find((e) => e.location?.path === key)
      assert.ok(problem, JSON.stringify(result.errors))
      assert.match(problem.message, new RegExp(`"${key}" ${message}`))
    })
})

describe('disable_keep_alives', () => {
  test('each backend request on a new connection, its head ending in Connection: close; the gateway closes it', async () => {
    await withGateway({ disable_keep_alives: true }, async (url, backend) => {
      for (let i = 0; i < 3; i++) assert.equal((await send(url, { path: '/get' })).status, 200)
      assert.equal(backend.connections.length, 3)
      for (const conn of backend.connections) {
        assert.equal(conn.heads.length, 1)
        const lines = headerLines(conn.heads[0] as string)
        assert.deepEqual(
          lines.filter((l) => /^connection:/i.test(l)),
          ['Connection: close'],
        )
        assert.equal(lines.at(-1), 'Connection: close', conn.heads[0])
        await conn.closed
      }
    })
  })

  test('a POST body, and an empty chunked one, keep their framing with Connection: close last', async () => {
    await withGateway({ disable_keep_alives: true }, async (url, backend) => {
      assert.equal((await send(url, { method: 'POST', path: '/post', body: 'hello' })).status, 200)
      const empty = await sendRaw(
        url,
        `${rawRequest(['POST /post HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked'])}0\r\n\r\n`,
      )
      assert.equal(empty.status, 200)
      assert.equal(backend.connections.length, 2)
      for (const conn of backend.connections) {
        const lines = headerLines(conn.heads[0] as string)
        assert.equal(lines.at(-1), 'Connection: close', conn.heads[0])
        assert.equal(lines.filter((l) => /^connection:/i.test(l)).length, 1)
      }
      // Go's Request.write: Host, User-Agent, the framing, the sorted header map, the transport's lines.
      const postLines = headerLines(backend.connections[0]?.heads[0] as string)
      assert.deepEqual(
        postLines.map((l) => l.slice(0, l.indexOf(':'))),
        [
          'Host',
          'User-Agent',
          'Transfer-Encoding',
          'X-Forwarded-For',
          'X-Forwarded-Host',
          'Accept-Encoding',
          'Connection',
        ],
        postLines.join('|'),
      )
      const emptyLines = headerLines(backend.connections[1]?.heads[0] as string)
      assert.equal(emptyLines[2], 'Transfer-Encoding: chunked', emptyLines.join('|'))
      assert.ok(!emptyLines.some((l) => l.startsWith('x-gateway-')))
    })
  })

  test('unset: GET calls with a body keep the connection too, as Go does', async () => {
    await withGateway({}, async (url, backend) => {
      for (let i = 0; i < 3; i++)
        assert.equal(
          (await send(url, { path: '/get', headers: { 'content-length': '2' }, body: '{}' })).status,
          200,
        )
      assert.equal(backend.connections.length, 1, 'one connection for the three calls')
      const heads = backend.connections[0]?.heads ?? []
      assert.equal(heads.length, 3)
      for (const head of heads) {
        assert.match(head, /^GET \/get HTTP\/1\.1\r\n/)
        assert.ok(!headerLines(head).some((l) => /^connection:/i.test(l)), head)
        assert.deepEqual(
          headerLines(head).map((l) => l.slice(0, l.indexOf(':'))),
          [
            'Host',
            'User-Agent',
            'Transfer-Encoding',
            'X-Forwarded-For',
            'X-Forwarded-Host',
            'Accept-Encoding',
          ],
          'Go writes the framing after User-Agent, the header map sorted, then its own Accept-Encoding',
        )
      }
      assert.equal((await send(url, { method: 'POST', path: '/post' })).status, 200)
      const post = backend.connections.flatMap((c) => c.heads).find((h) => h.startsWith('POST'))
      assert.deepEqual(headerLines(post as string).slice(0, 3), [
        `Host: ${new URL(backend.origin).host}`,
        'User-Agent: KrakenD Version 2.13.8',
        'Content-Length: 0',
      ])
    })
  })

  test('unset: the requests share one connection and carry no Connection header', async () => {
    await withGateway({}, async (url, backend) => {
      for (let i = 0; i < 3; i++) assert.equal((await send(url, { path: '/get' })).status, 200)
      assert.equal(backend.connections.length, 1)
      const [conn] = backend.connections
      assert.equal(conn?.heads.length, 3)
      for (const head of conn?.heads ?? [])
        assert.ok(!headerLines(head).some((l) => /^connection:/i.test(l)), head)
    })
  })
})

describe('response_header_timeout', () => {
  test("headers later than it fail the call with Go's error, before the endpoint timeout; the connection is closed", async () => {
    await withGateway(
      { response_header_timeout: '200ms' },
      async (url, backend) => {
        const started = Date.now()
        const res = await send(url, { path: '/get' })
        assert.ok(Date.now() - started < 4000, 'answered before the 5 s endpoint timeout')
        assert.equal(res.status, 500)
        assert.equal(res.headers['x-krakend-completed'], 'false')
        assert.equal(res.text, `Get "${backend.origin}/get": net/http: timeout awaiting response headers`)
        assert.equal(backend.connections.length, 1)
        await backend.connections[0]?.closed
      },
      { delayMs: 1000 },
    )
  })

  test('headers within it: the answer', async () => {
    await withGateway(
      { response_header_timeout: '3s' },
      async (url) => {
        const res = await send(url, { path: '/get' })
        assert.equal(res.status, 200)
        assert.equal(res.text, '{}')
      },
      { delayMs: 100 },
    )
  })

  test("longer than the endpoint timeout: the endpoint's deadline answers, as without it", async () => {
    const answers: string[] = []
    for (const service of [{ response_header_timeout: '10s' }, {}])
      await withGateway(
        service,
        async (url) => {
          const res = await send(url, { path: '/get' })
          answers.push(`${res.status} ${res.text}`)
        },
        { delayMs: 2000, timeout: '300ms' },
      )
    assert.equal(answers[0], answers[1])
    assert.doesNotMatch(answers[0] as string, /awaiting response headers/)
  })
})

describe('idle_connection_timeout', () => {
  test('an idle backend connection is closed by the gateway after it', async () => {
    await withGateway({ idle_connection_timeout: '300ms' }, async (url, backend) => {
      assert.equal((await send(url, { path: '/get' })).status, 200)
      assert.equal(backend.connections.length, 1)
      const closed = await Promise.race([
        backend.connections[0]?.closed.then(() => true),
        new Promise((resolve) => setTimeout(() => resolve(false), 5000).unref()),
      ])
      assert.equal(closed, true, 'closed well before 5 s')
    })
  })
})

describe('dialer_timeout', () => {
  /**
   * A listener whose accept queue is full: its thread never accepts (its event loop is blocked),
   * and two connections fill a backlog of 1, so the kernel drops further SYNs and a connect hangs.
   */
  async function unresponsiveListener(): Promise<{ origin: string; close(): Promise<void> }> {
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads')
      const server = require('node:net').createServer()
      server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
        parentPort.postMessage(server.address().port)
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
      })`,
      { eval: true },
    )
    const [port] = (await once(worker, 'message')) as [number]
    const fillers: Socket[] = []
    for (let i = 0; i < 2; i++) {
      const socket = connect(port, '127.0.0.1')
      socket.on('error', () => {})
      fillers.push(socket)
      await once(socket, 'connect')
    }
    return {
      origin: `http://127.0.0.1:${port}`,
      close: async () => {
        for (const s of fillers) s.destroy()
        await worker.terminate()
      },
    }
  }

  test("a connect longer than it fails the call with Go's dial timeout, before the endpoint timeout", async () => {
    const listener = await unresponsiveListener()
    after(() => listener.close())
    const gw = await startGateway(gatewayConfig(listener.origin, { dialer_timeout: '300ms' }))
    after(() => gw.close())
    const started = Date.now()
    const res = await send(gw.url, { path: '/get' })
    assert.ok(Date.now() - started < 4000, 'answered before the 5 s endpoint timeout')
    assert.equal(res.status, 500)
    const port = new URL(listener.origin).port
    assert.equal(res.text, `Get "${listener.origin}/get": dial tcp 127.0.0.1:${port}: i/o timeout`)
  })

  test("a negative one fails every dial at once with Go's dial timeout, as KrakenD: the backend sees no connection", async () => {
    let connections = 0
    const backend = createServer((socket) => {
      connections += 1
      socket.destroy()
    })
    backend.listen(0, '127.0.0.1')
    await once(backend, 'listening')
    after(() => new Promise((resolve) => backend.close(resolve)))
    const port = (backend.address() as AddressInfo).port
    const origin = `http://127.0.0.1:${port}`
    const gw = await startGateway(gatewayConfig(origin, { dialer_timeout: '-5s' }))
    after(() => gw.close())
    for (const path of ['/get', '/get']) {
      const res = await send(gw.url, { path })
      assert.equal(res.status, 500)
      assert.equal(res.text, `Get "${origin}/get": dial tcp 127.0.0.1:${port}: i/o timeout`)
    }
    assert.equal(connections, 0)
  })
})

describe('connections per backend', () => {
  test("as many as calls run at once, as Go's transport (no MaxConnsPerHost): 300 calls reach a backend together", async () => {
    const CALLS = 300
    const held: Array<() => void> = []
    let peak = 0
    let open = 0
    const release = () => {
      for (const answer of held.splice(0)) answer()
    }
    // Answers nothing until every call has arrived (or 10 s have passed), so all are open at once.
    const bound = setTimeout(release, 10_000)
    const backend = createHttpServer((req, res) => {
      open += 1
      peak = Math.max(peak, open)
      held.push(() => {
        open -= 1
        res.end('{}')
      })
      if (held.length === CALLS) release()
      req.resume()
    })
    backend.listen(0, '127.0.0.1')
    await once(backend, 'listening')
    const origin = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`
    const gw = await startGateway(gatewayConfig(origin, {}, '15s'))
    const client = new Agent({ connections: CALLS })
    try {
      const statuses = await Promise.all(
        Array.from({ length: CALLS }, () =>
          request(`${gw.url}/get`, { dispatcher: client }).then(async (res) => {
            await res.body.dump()
            return res.statusCode
          }),
        ),
      )
      assert.equal(peak, CALLS, 'every call was at the backend at the same time')
      assert.deepEqual(new Set(statuses), new Set([200]))
    } finally {
      clearTimeout(bound)
      release()
      await client.close()
      await gw.close()
      backend.closeAllConnections()
      await new Promise((resolve) => backend.close(resolve))
    }
  })
})

describe("a reused connection the backend closed before answering (Go's transport sends the call again)", () => {
  const GET = { path: '/get' }
  const POST = { path: '/post', method: 'POST', body: '{"a":1}' }
  const cases: Array<{
    name: string
    drop: Drop
    calls: Array<{ request: ClientRequest; status: number }>
    /** The request methods each backend connection carried. */
    connections: string[][]
    options?: { delayMs: number; timeout: string }
  }> = [
    {
      name: 'closed: a GET goes out again on a new connection and is answered',
      drop: { nth: 2, how: 'fin' },
      calls: [
        { request: GET, status: 200 },
        { request: GET, status: 200 },
      ],
      connections: [['GET', 'GET'], ['GET']],
    },
    {
      name: 'reset: a GET goes out again on a new connection and is answered',
      drop: { nth: 2, how: 'reset' },
      calls: [
        { request: GET, status: 200 },
        { request: GET, status: 200 },
      ],
      connections: [['GET', 'GET'], ['GET']],
    },
    {
      name: 'a POST with a body is not sent again: the call fails, as in Go',
      drop: { nth: 2, how: 'fin' },
      calls: [
        { request: GET, status: 200 },
        { request: POST, status: 500 },
      ],
      connections: [['GET', 'POST']],
    },
    {
      name: 'an answer cut after its first bytes is not tried again: the call fails, as in Go',
      drop: { nth: 2, how: 'partial' },
      calls: [
        { request: GET, status: 200 },
        { request: GET, status: 500 },
      ],
      connections: [['GET', 'GET']],
    },
    {
      // Reset after 1.8 s of the 3 s; the next connection answers after 2.5 s, too late.
      name: "the endpoint's timeout bounds the attempts together",
      drop: { nth: 2, how: 'reset', afterMs: 1800 },
      calls: [
        { request: GET, status: 200 },
        { request: GET, status: 500 },
      ],
      connections: [['GET', 'GET'], ['GET']],
      options: { delayMs: 2500, timeout: '3s' },
    },
    {
      name: 'a new connection closed before answering is not tried again: the call fails, as in Go',
      drop: { nth: 1, how: 'fin' },
      calls: [{ request: GET, status: 500 }],
      connections: [['GET']],
    },
  ]
  for (const c of cases)
    test(c.name, async () => {
      await withGateway(
        {},
        async (url, backend) => {
          for (const call of c.calls) assert.equal((await send(url, call.request)).status, call.status)
          assert.deepEqual(
            backend.connections.map((conn) => conn.heads.map((head) => head.slice(0, head.indexOf(' ')))),
            c.connections,
          )
        },
        { drop: c.drop, ...c.options },
      )
    })
})

describe("the endpoint timeout, on time (lura's context deadline)", () => {
  test('one backend answering just after it: 500 with the deadline, not the late answer', async () => {
    // undici's own header timer is coarse (it fires up to about half a second late): a backend
    // answering 250 ms after a 1 s timeout must still lose against the deadline, as in KrakenD.
    await withGateway(
      { extra_config: { router: { return_error_msg: true } } },
      async (url) => {
        const res = await send(url, { path: '/get' })
        assert.equal(res.status, 500)
        assert.equal(res.text, 'context deadline exceeded')
      },
      { delayMs: 1250, timeout: '1s' },
    )
  })
})
