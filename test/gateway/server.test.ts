import assert from 'node:assert/strict'
import { createServer as createHttpServer } from 'node:http'
import { type ClientHttp2Stream, connect as connectH2, constants as h2 } from 'node:http2'
import { type AddressInfo, connect as connectTcp } from 'node:net'
import { after, describe, test } from 'node:test'
import { Agent, request } from 'undici'
import { listenMetrics } from '../../src/gateway/metrics-server.ts'
import { until } from '../helpers/until.ts'
import {
  mustConfig,
  rawRequest,
  send,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from './helpers.ts'

const backends: TestBackend[] = []
after(async () => {
  for (const b of backends) await b.close()
})

async function backend(routes: Parameters<typeof startBackend>[1]) {
  const b = await startBackend('b', routes)
  backends.push(b)
  return b
}

const config = (b: TestBackend, extra: Record<string, unknown> = {}) =>
  mustConfig({
    version: 3,
    name: 'server test',
    ...extra,
    endpoints: [
      { endpoint: '/slow', backend: [{ host: [b.origin], url_pattern: '/slow' }], timeout: '10s' },
      { endpoint: '/fast', backend: [{ host: [b.origin], url_pattern: '/fast' }] },
      { endpoint: '/hang', backend: [{ host: [b.origin], url_pattern: '/hang' }], timeout: '30s' },
      { endpoint: '/p/{id}', backend: [{ host: [b.origin], url_pattern: '/echo/{id}' }] },
    ],
  })

/** The value of the first sample of `metric` whose labels include `labels`. */
function sample(text: string, metric: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line)
    if (!m || m[1] !== metric) continue
    const have = Object.fromEntries(
      [...(m[2] as string).matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]),
    )
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3])
  }
  return undefined
}

const slowBody = { done: true, padding: 'x'.repeat(20_000) }

/** A backend that keeps each request's raw header lines; answers `{}`. */
async function rawHeadersBackend(): Promise<{ lines: string[][]; origin: string }> {
  const lines: string[][] = []
  const server = createHttpServer((req, res) => {
    lines.push(req.rawHeaders)
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  after(() => server.close())
  return { lines, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/** The values of header `name` (lower case) among raw header lines. */
const headerLines = (raw: string[], name: string) =>
  raw.filter((_, i) => i % 2 === 1 && raw[i - 1]?.toLowerCase() === name)

describe('drain (SIGTERM semantics, in-process)', () => {
  test('a slow in-flight request completes while health says draining; no reset; then the port closes', async () => {
    const b = await backend({ '/slow': { delay_ms: 1200, body: slowBody }, '/fast': { body: { ok: 1 } } })
    const running = await startGateway(config(b))
    const agent = new Agent({ keepAliveTimeout: 60_000 })
    // Warm a keep-alive connection, then start a slow request on it.
    assert.equal((await send(running.url, { path: '/fast' }, agent)).status, 200)
    const slow = send(running.url, { path: '/slow' }, agent)
    await until(() => b.seen.some((r) => r.url === '/slow'), 'the slow request is in flight')
    // The grace (health 503, the port still open) leaves the health request room on a loaded machine
    // and ends well before the 1.2 s answer, so the listener closes with the request in flight.
    const shutdown = running.server.shutdown({ graceMs: 700, timeoutMs: 10_000 })
    const health = await send(running.url, { path: '/__health' })
    assert.equal(health.status, 503)
    assert.equal(JSON.parse(health.text).status, 'draining')
    assert.equal(health.headers.connection, 'close')
    const res = await slow
    assert.equal(res.status, 200)
    assert.deepEqual(JSON.parse(res.text), slowBody)
    assert.equal(res.headers['x-krakend-completed'], 'true')
    assert.equal(await shutdown, true, 'finished within the drain timeout')
    await assert.rejects(send(running.url, { path: '/__health' }), /ECONNREFUSED|connect/)
    await agent.close()
  })

  test('the drain timeout bounds the wait: a hanging request is cut and shutdown reports it', async () => {
    const b = await backend({ '/hang': { hang: true } })
    const running = await startGateway(config(b))
    const hanging = send(running.url, { path: '/hang' }).then(
      () => 'answered',
      () => 'cut',
    )
    await until(() => running.gateway.inFlight === 1, 'the hanging request is in flight')
    assert.equal(await running.server.shutdown({ graceMs: 0, timeoutMs: 300 }), false)
    assert.equal(await hanging, 'cut')
  })
})

describe('h2c (prior knowledge) on the HTTP/1.1 port', () => {
  test('concurrent streams on one session, then GOAWAY on drain lets the in-flight stream finish', async () => {
    const b = await backend({ '/slow': { delay_ms: 800, body: slowBody }, '/fast': { body: { ok: 1 } } })
    const running = await startGateway(config(b))
    const session = connectH2(running.url)
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const stream = session.request({ ':path': path })
        let status = 0
        const chunks: Buffer[] = []
        stream.on('response', (h) => {
          status = Number(h[':status'])
        })
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString() }))
        stream.on('error', reject)
        stream.end()
      })
    const results = await Promise.all([get('/fast'), get('/p/1'), get('/p/2'), get('/__health')])
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200, 200],
    )
    assert.equal(JSON.parse(results[1]?.body ?? '').url, '/echo/1')
    assert.equal(JSON.parse(results[2]?.body ?? '').url, '/echo/2')
    const goaway = new Promise((resolve) => session.once('goaway', resolve))
    const slow = get('/slow')
    // Its stream must be open before the GOAWAY, which refuses the streams the server has not seen.
    await until(() => b.seen.some((r) => r.url === '/slow'), 'the slow stream is in flight')
    const shutdown = running.server.shutdown({ graceMs: 0, timeoutMs: 10_000 })
    await goaway
    const res = await slow
    assert.equal(res.status, 200)
    assert.deepEqual(JSON.parse(res.body), slowBody)
    assert.equal(await shutdown, true)
    session.close()
  })

  test("flow control as Go's HTTP/2 server: 1 MB windows (stream and connection), 1 MB frames, 250 streams", async () => {
    const b = await backend({ '/fast': { body: { ok: 1 } } })
    const running = await startGateway(config(b))
    after(() => running.close())
    const session = connectH2(running.url)
    after(() => session.close())
    await new Promise((resolve) => session.once('remoteSettings', resolve))
    // A ping's answer comes after every frame the server sent before it: its WINDOW_UPDATE too.
    await new Promise((resolve, reject) =>
      session.ping((error) => (error ? reject(error) : resolve(undefined))),
    )
    const settings = session.remoteSettings
    assert.equal(settings.initialWindowSize, 1 << 20)
    assert.equal(settings.maxFrameSize, 1 << 20)
    assert.equal(settings.maxConcurrentStreams, 250)
    assert.equal(session.state.remoteWindowSize, 1 << 20)
    // A 3 MB upload in 1 MB frames goes through on one stream.
    const stream = session.request({ ':method': 'GET', ':path': '/fast' }, { endStream: false })
    stream.end(Buffer.alloc(3 << 20, 0x20))
    const [headers] = (await new Promise((resolve) => stream.once('response', (h) => resolve([h])))) as [
      Record<string, unknown>,
    ]
    stream.resume()
    assert.equal(headers[':status'], 200)
  })

  test('a split HTTP/1.1 request line still goes to the HTTP/1.1 server', async () => {
    const b = await backend({ '/fast': { body: { ok: 1 } } })
    const running = await startGateway(config(b))
    after(() => running.close())
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connectTcp(running.server.port, '127.0.0.1', () => {
        socket.write('GE')
        setTimeout(() => socket.write('T /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 50)
      })
      let out = ''
      socket.on('data', (c) => {
        out += c.toString()
      })
      socket.on('end', () => resolve(out))
      socket.on('error', reject)
    })
    assert.match(text, /^HTTP\/1.1 200 OK/)
    assert.match(text, /\{"ok":1\}$/)
  })
})

describe('max_header_bytes over h2c, as Go counts and enforces it', () => {
  /** `count` fields named x-h0, x-h1, ... with `size`-byte values. */
  const fields = (count: number, size: number) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`x-h${i}`, 'v'.repeat(size)]))

  test("a header list over the limit gets 431 with Go's body; one just under it passes", async () => {
    const b = await backend({ '/fast': { body: { ok: 1 } } })
    const running = await startGateway(config(b, { max_header_bytes: 2048 }))
    after(() => running.close())
    // Go's limit here: 2048 + 10 x 32 = 2368 bytes, each field counted as name + value + 32.
    // 30 fields of 40 bytes: 30 x (4-5 + 40 + 32) > 2368, and no single field is long.
    const over = await send(running.url, { path: '/fast', http2: true, headers: fields(30, 40) })
    assert.equal(over.status, 431)
    assert.equal(over.text, '<h1>HTTP Error 431</h1><p>Request Header Field(s) Too Large</p>')
    assert.equal(over.headers['content-type'], 'text/html; charset=utf-8')
    assert.equal(b.seen.length, 0, 'the backend is never called')
    // 20 fields of 40 bytes, plus the pseudo-headers: under 2368.
    const under = await send(running.url, { path: '/fast', http2: true, headers: fields(20, 40) })
    assert.equal(under.status, 200)
  })

  test("one value longer than the limit ends the connection with COMPRESSION_ERROR, as Go's HPACK decoder does", async () => {
    const b = await backend({ '/fast': { body: { ok: 1 } } })
    const running = await startGateway(config(b, { max_header_bytes: 2048 }))
    after(() => running.close())
    const session = connectH2(running.url)
    session.on('error', () => {})
    after(() => session.destroy())
    const goaway = new Promise<number>((resolve) => session.once('goaway', (code: number) => resolve(code)))
    const stream = session.request({ ':path': '/fast', 'x-big': 'y'.repeat(8000) })
    stream.on('error', () => {})
    let status = 0
    stream.on('response', (headers) => {
      status = Number(headers[':status'])
    })
    stream.end()
    const closed = new Promise<string>((resolve) => session.once('close', () => resolve('closed')))
    const bound = (ms: number) => new Promise<string>((resolve) => setTimeout(() => resolve('timed out'), ms))
    assert.equal(await Promise.race([goaway, bound(5000)]), h2.NGHTTP2_COMPRESSION_ERROR)
    assert.equal(await Promise.race([closed, bound(5000)]), 'closed')
    assert.equal(status, 0, 'no answer')
    assert.equal(b.seen.length, 0)
  })

  test('by default (1 MB) a request with 300 fields passes: no count limit of its own', async () => {
    const b = await backend({ '/fast': { body: { ok: 1 } } })
    const running = await startGateway(config(b))
    after(() => running.close())
    const res = await send(running.url, { path: '/fast', http2: true, headers: fields(300, 20) })
    assert.equal(res.status, 200)
  })
})

describe("h2c stream deadlines, as Go's HTTP/2 server sets them", () => {
  /** Resolves with the stream's reset code once it closes, or 'still open' after 5 s. */
  const closing = (stream: ClientHttp2Stream) =>
    new Promise<number | string>((resolve) => {
      const bound = setTimeout(() => resolve('still open'), 5000)
      stream.on('close', () => {
        clearTimeout(bound)
        resolve(stream.rstCode ?? 'no code')
      })
    })

  test('read_timeout resets a stream whose body stops arriving; write_timeout resets one whose answer is late', async () => {
    const b = await backend({ '/slow': { delay_ms: 3000, body: slowBody }, '/fast': { body: { ok: 1 } } })
    const running = await startGateway(
      mustConfig({
        version: 3,
        name: 'h2 deadlines',
        read_timeout: '300ms',
        // Long enough for the quick answer below on a loaded machine; the slow one takes 3 s.
        write_timeout: '1s',
        endpoints: [
          { endpoint: '/up', method: 'POST', backend: [{ host: [b.origin], url_pattern: '/echo' }] },
          { endpoint: '/slow', timeout: '10s', backend: [{ host: [b.origin], url_pattern: '/slow' }] },
          { endpoint: '/fast', backend: [{ host: [b.origin], url_pattern: '/fast' }] },
        ],
      }),
    )
    after(() => running.close())
    const session = connectH2(running.url)
    session.on('error', () => {})
    after(() => session.destroy())
    const upload = session.request({ ':method': 'POST', ':path': '/up' })
    upload.on('error', () => {})
    upload.write('part of a body that never ends')
    const slow = session.request({ ':path': '/slow' })
    slow.on('error', () => {})
    slow.resume()
    slow.end()
    assert.deepEqual(await Promise.all([closing(upload), closing(slow)]), [
      h2.NGHTTP2_CANCEL,
      h2.NGHTTP2_INTERNAL_ERROR,
    ])
    // The session lives on: a quick request on it is answered.
    const fast = session.request({ ':path': '/fast' })
    const status = new Promise<number>((resolve) => fast.on('response', (h) => resolve(Number(h[':status']))))
    fast.resume()
    fast.end()
    assert.equal(await status, 200)
  })
})

describe('h2c read_timeout counts what arrives, not what is read', () => {
  test('a whole body the endpoint never reads is not cut while a slow backend answers', async () => {
    const b = await backend({ '/slow': { delay_ms: 1000, body: { ok: 1 } } })
    const running = await startGateway(
      mustConfig({
        version: 3,
        name: 'h2 read deadline',
        read_timeout: '300ms',
        endpoints: [
          {
            endpoint: '/later',
            method: 'POST',
            timeout: '10s',
            backend: [{ host: [b.origin], url_pattern: '/slow', method: 'GET' }],
          },
        ],
      }),
    )
    after(() => running.close())
    const res = await send(running.url, {
      method: 'POST',
      path: '/later',
      http2: true,
      body: { sent: 'whole' },
    })
    assert.equal(res.status, 200)
    assert.deepEqual(JSON.parse(res.text), { ok: 1 })
  })
})

describe("backend response headers as Go's client takes them (up to 10 MB)", () => {
  test('20 KB of backend headers pass through a no-op endpoint over HTTP/1.1 and h2c, whatever max_header_bytes says', async () => {
    const big = 'z'.repeat(20_000)
    const b = await backend({ '/big': { body: { ok: 1 }, headers: { 'x-big': big } } })
    // max_header_bytes bounds what clients send, not what the gateway answers.
    const running = await startGateway(
      mustConfig({
        version: 3,
        name: 'big headers',
        max_header_bytes: 2048,
        endpoints: [
          {
            endpoint: '/big',
            output_encoding: 'no-op',
            backend: [{ host: [b.origin], url_pattern: '/big', encoding: 'no-op' }],
          },
        ],
      }),
    )
    after(() => running.close())
    for (const http2 of [false, true]) {
      const res = await send(running.url, { path: '/big', http2 })
      assert.equal(res.status, 200, `${http2 ? 'h2c' : 'HTTP/1.1'}: ${res.text}`)
      assert.equal(res.headers['x-big'], big)
    }
  })
})

describe("write_timeout over HTTP/1.1, as Go's write deadline", () => {
  test('an answer not finished in time loses its connection, a steadily streaming one too; quick answers are served', async () => {
    // A backend that streams 30 chunks, one every 50 ms (1.5 s in all), and one that answers at once.
    const streaming = createHttpServer((req, res) => {
      if (req.url === '/quick') return void res.end('{"ok":1}')
      let sent = 0
      const tick = setInterval(() => {
        if (sent === 30 || res.destroyed) {
          clearInterval(tick)
          res.end()
          return
        }
        sent += 1
        res.write(`chunk ${sent}\n`)
      }, 50)
    })
    await new Promise<void>((resolve) => streaming.listen(0, '127.0.0.1', resolve))
    after(() => {
      streaming.closeAllConnections()
      streaming.close()
    })
    const origin = `http://127.0.0.1:${(streaming.address() as AddressInfo).port}`
    const running = await startGateway(
      mustConfig({
        version: 3,
        name: 'h1 write deadline',
        // The quick answer has room on a loaded machine; the stream needs 1.5 s.
        write_timeout: '1s',
        endpoints: [
          {
            endpoint: '/stream',
            output_encoding: 'no-op',
            timeout: '10s',
            backend: [{ host: [origin], url_pattern: '/stream', encoding: 'no-op' }],
          },
          { endpoint: '/quick', backend: [{ host: [origin], url_pattern: '/quick' }] },
        ],
      }),
    )
    after(() => running.close())
    assert.equal((await send(running.url, { path: '/quick' })).status, 200)
    // Bytes keep flowing, so no inactivity timer would fire; Go's deadline still does.
    const outcome = await send(running.url, { path: '/stream' }).then(
      (res) => `answered ${res.status} with ${res.text.split('\n').length - 1} chunks`,
      () => 'cut',
    )
    assert.equal(outcome, 'cut')
  })
})

describe('read header timeout from accept (slow and silent connections)', () => {
  test('connections that send nothing, one byte or part of the h2c preface are closed; others keep being served', async () => {
    const b = await backend({ '/fast': { body: { ok: 1 } } })
    const running = await startGateway(config(b, { read_header_timeout: '300ms' }))
    after(() => running.close())
    const openers: Record<string, string> = {
      nothing: '',
      'one byte': 'G',
      'one byte of the preface': 'P',
      'half the h2c preface': 'PRI * HTTP/2.0\r\n',
      'half a request': 'GET /fast HTTP/1.1\r\nHost: x\r\n',
    }
    const cut = Object.entries(openers).map(
      ([name, bytes]) =>
        new Promise<string>((resolve) => {
          const socket = connectTcp(running.server.port, '127.0.0.1', () => {
            if (bytes) socket.write(bytes)
          })
          socket.on('error', () => {})
          // Bounded: a connection the gateway never closes fails the test instead of hanging it.
          const bound = setTimeout(() => {
            socket.destroy()
            resolve(`${name}: still open`)
          }, 20_000)
          socket.on('close', () => {
            clearTimeout(bound)
            resolve(`${name}: closed`)
          })
        }),
    )
    // Meanwhile other clients are served.
    const meanwhile = await send(running.url, { path: '/fast' })
    assert.equal(meanwhile.status, 200)
    assert.deepEqual(
      await Promise.all(cut),
      Object.keys(openers).map((name) => `${name}: closed`),
    )
    assert.equal((await send(running.url, { path: '/fast', http2: true })).status, 200)
  })

  test('a read_timeout shorter than the read_header_timeout (10 s) starts, serves, and bounds slow headers', async () => {
    const b = await backend({ '/fast': { body: { ok: 1 } } })
    // KrakenD takes this; node:http refuses a header timeout longer than the request timeout.
    const running = await startGateway(config(b, { read_timeout: '300ms', read_header_timeout: '10s' }))
    after(() => running.close())
    assert.equal((await send(running.url, { path: '/fast' })).status, 200)
    const closed = await new Promise<string>((resolve) => {
      const socket = connectTcp(running.server.port, '127.0.0.1', () =>
        socket.write('GET /fast HTTP/1.1\r\nHost: x\r\n'),
      )
      socket.on('error', () => {})
      // Well under the 10 s read_header_timeout: only the read_timeout can have closed it.
      const bound = setTimeout(() => {
        socket.destroy()
        resolve('still open')
      }, 5000)
      socket.on('close', () => {
        clearTimeout(bound)
        resolve('closed')
      })
    })
    assert.equal(closed, 'closed')
  })

  test('an h2c preface split over several packets is still h2c', async () => {
    const b = await backend({ '/fast': { body: { ok: 1 } } })
    const running = await startGateway(config(b))
    after(() => running.close())
    const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')
    const emptySettings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])
    const first = await new Promise<Buffer>((resolve, reject) => {
      const socket = connectTcp(running.server.port, '127.0.0.1', () => {
        socket.write(preface.subarray(0, 1))
        setTimeout(() => socket.write(preface.subarray(1, 10)), 30)
        setTimeout(() => socket.write(Buffer.concat([preface.subarray(10), emptySettings])), 60)
      })
      socket.once('data', (chunk: Buffer) => {
        socket.destroy()
        resolve(chunk)
      })
      socket.on('error', reject)
    })
    // An HTTP/2 server answers with a SETTINGS frame (type 4 in the 4th byte), not "HTTP/1.1 400".
    assert.equal(first[3], 4, first.toString('latin1'))
  })
})

describe('metrics on a separate port', () => {
  test('gateway_info, per-endpoint and per-backend counters and histograms, process metrics', async () => {
    const b = await backend({ '/fast': { body: { ok: 1 } } })
    const running = await startGateway(config(b, { name: 'shop rev-abc1234' }), { metrics: true })
    after(() => running.close())
    const metrics = running.gateway.metrics
    assert.ok(metrics)
    const server = await listenMetrics(
      () => metrics.registry.metrics(),
      metrics.registry.contentType,
      0,
      '127.0.0.1',
    )
    after(() => server.close())
    for (let i = 0; i < 3; i += 1) assert.equal((await send(running.url, { path: '/fast' })).status, 200)
    assert.equal((await send(running.url, { path: '/nowhere' })).status, 404)
    const res = await request(`http://127.0.0.1:${server.port}/metrics`)
    assert.equal(res.statusCode, 200)
    const text = await res.body.text()
    const name = 'shop rev-abc1234'
    assert.equal(sample(text, 'gateway_info', { name, version: '0.1.0' }), 1)
    assert.equal(
      sample(text, 'gateway_requests_total', { endpoint: '/fast', method: 'GET', status: '200', name }),
      3,
    )
    assert.equal(sample(text, 'gateway_requests_total', { endpoint: '', status: '404' }), 1)
    assert.equal(
      sample(text, 'gateway_request_duration_seconds_count', { endpoint: '/fast', status: '200' }),
      3,
    )
    assert.equal(
      sample(text, 'gateway_backend_requests_total', { endpoint: '/fast', backend: '/fast', status: '200' }),
      3,
    )
    assert.equal(sample(text, 'gateway_backend_duration_seconds_bucket', { le: '+Inf', backend: '/fast' }), 3)
    assert.match(text, /^process_cpu_user_seconds_total/m)
    assert.match(text, /^nodejs_heap_size_used_bytes/m)
    // The gateway port itself does not serve metrics.
    assert.equal((await send(running.url, { path: '/metrics' })).status, 404)
  })
})

describe('safety', () => {
  test('an absolute-form request target cannot change the backend host', async () => {
    const b = await backend({})
    const running = await startGateway(config(b))
    after(() => running.close())
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connectTcp(running.server.port, '127.0.0.1', () => {
        socket.write(
          'GET http://169.254.169.254/p/meta HTTP/1.1\r\nHost: 169.254.169.254\r\nConnection: close\r\n\r\n',
        )
      })
      let out = ''
      socket.on('data', (c) => {
        out += c.toString()
      })
      socket.on('end', () => resolve(out))
      socket.on('error', reject)
    })
    if (/^HTTP\/1.1 200/.test(text)) {
      assert.equal(b.seen.at(-1)?.url, '/echo/meta', 'served by the configured backend only')
    } else assert.match(text, /^HTTP\/1.1 (400|404)/)
  })

  test('path parameters cannot smuggle a host or a path: dots and @ stay on the configured backend', async () => {
    const b = await backend({})
    const running = await startGateway(config(b))
    after(() => running.close())
    const res = await send(running.url, { path: '/p/@evil.example' })
    assert.equal(res.status, 200)
    assert.equal(JSON.parse(res.text).url, '/echo/@evil.example')
    const encoded = await send(running.url, { path: '/p/%40evil.example' })
    assert.equal(JSON.parse(encoded.text).url, '/echo/@evil.example', 'gin decodes the path: %40 is an @')
    const seen = b.seen.length
    const slashes = await send(running.url, { path: '/p/%2F%2Fevil.example' })
    assert.equal(
      slashes.status,
      301,
      'decoded, /p//evil.example is no /p/{x} route: gin redirects to the cleaned path',
    )
    assert.equal(slashes.headers.location, '/p/evil.example')
    assert.equal(b.seen.length, seen, 'no backend call')
  })

  test('repeated Authorization (and other lines node:http keeps once) reach the backend as Go forwards them: all', async () => {
    const { lines, origin } = await rawHeadersBackend()
    const running = await startGateway(
      mustConfig({
        version: 3,
        endpoints: [
          {
            endpoint: '/h',
            input_headers: ['Authorization', 'Referer'],
            backend: [{ host: [origin], url_pattern: '/h' }],
          },
        ],
      }),
    )
    after(() => running.close())
    const request = [
      'GET /h HTTP/1.1',
      'Host: x',
      'Authorization: Bearer a',
      'Authorization: Bearer b',
      'Referer: r1',
    ]
    assert.equal((await sendRaw(running.url, rawRequest(request))).status, 200)
    const values = (name: string) => headerLines(lines[0] ?? [], name)
    assert.deepEqual(values('authorization'), ['Bearer a', 'Bearer b'])
    assert.deepEqual(values('referer'), ['r1'])
  })

  test('repeated header fields over h2c reach the backend apart, as Go forwards them; cookies joined', async () => {
    const { lines, origin } = await rawHeadersBackend()
    const running = await startGateway(
      mustConfig({
        version: 3,
        endpoints: [
          {
            endpoint: '/h',
            input_headers: ['X-A', 'Cookie'],
            backend: [{ host: [origin], url_pattern: '/h' }],
          },
        ],
      }),
    )
    after(() => running.close())
    const session = connectH2(running.url)
    after(() => session.close())
    const stream = session.request({ ':path': '/h', 'x-a': ['one', 'two'], cookie: ['a=1', 'b=2,3'] })
    stream.resume()
    await new Promise((resolve) => stream.on('close', resolve))
    const values = (name: string) => headerLines(lines[0] ?? [], name)
    assert.deepEqual(values('x-a'), ['one', 'two'])
    assert.deepEqual(values('cookie'), ['a=1; b=2,3'])
  })

  test("framing as Go's server frames a rendered answer: a length up to 2 KB (4 KB over h2c), none beyond", async () => {
    const b = await backend({
      '/small': { body: { text: 'x'.repeat(100) } },
      '/large': { body: { text: 'x'.repeat(3000) } },
      '/larger': { body: { text: 'x'.repeat(5000) } },
    })
    const endpoint = (path: string) => ({
      endpoint: path,
      backend: [{ host: [b.origin], url_pattern: path }],
    })
    const running = await startGateway(
      mustConfig({ version: 3, endpoints: [endpoint('/small'), endpoint('/large'), endpoint('/larger')] }),
    )
    after(() => running.close())
    const head = async (path: string, version = '1.1') =>
      (await sendRaw(running.url, rawRequest([`GET ${path} HTTP/${version}`, 'Host: x']))).head.toLowerCase()
    assert.match(await head('/small'), /\r\ncontent-length: 111\r\n/)
    const large = await head('/large')
    assert.match(large, /\r\ntransfer-encoding: chunked(\r\n|$)/)
    assert.doesNotMatch(large, /content-length/)
    assert.doesNotMatch(await head('/large', '1.0'), /transfer-encoding/, 'HTTP/1.0 has no chunking')
    // Go's HTTP/2 server holds 4 KB of a handler's writes before it sends the headers.
    const h2Length = async (path: string) =>
      (await send(running.url, { path, http2: true })).headers['content-length']
    assert.equal(await h2Length('/large'), '3011')
    assert.equal(await h2Length('/larger'), undefined)
  })

  test('a no-op answer without a length gets one when it ends within 2 KB (4 KB over h2c), as Go frames it', async () => {
    const sizes: Record<string, number> = { '/small': 10, '/large': 3000, '/larger': 5000 }
    const server = createHttpServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('x'.repeat(sizes[req.url ?? ''] ?? 0))
      res.end('y')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    after(() => server.close())
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const noop = (path: string) => ({
      endpoint: path,
      output_encoding: 'no-op',
      backend: [{ host: [origin], url_pattern: path, encoding: 'no-op' }],
    })
    const running = await startGateway(
      mustConfig({ version: 3, endpoints: [noop('/small'), noop('/large'), noop('/larger')] }),
    )
    after(() => running.close())
    const h2Length = async (path: string) =>
      (await send(running.url, { path, http2: true })).headers['content-length']
    assert.equal(await h2Length('/large'), '3001')
    assert.equal(await h2Length('/larger'), undefined)
    const answer = async (path: string) =>
      (await sendRaw(running.url, rawRequest([`GET ${path} HTTP/1.1`, 'Host: x']))).head.toLowerCase()
    const small = await answer('/small')
    assert.match(small, /\r\ncontent-length: 11(\r\n|$)/, 'the backend chunked it; Go sends a length')
    assert.doesNotMatch(small, /transfer-encoding/)
    assert.match(await answer('/large'), /\r\ntransfer-encoding: chunked(\r\n|$)/)
  })

  test("status lines carry Go's reason phrases, and Go's `status code N` for codes it has no text for", async () => {
    const b = await backend({
      '/teapot': { status: 418, body: {} },
      '/odd': { status: 599, body: {} },
      '/large': { status: 413, body: {} },
    })
    const noop = (path: string) => ({
      endpoint: path,
      output_encoding: 'no-op',
      backend: [{ host: [b.origin], url_pattern: path, encoding: 'no-op' }],
    })
    const running = await startGateway(
      mustConfig({ version: 3, endpoints: [noop('/teapot'), noop('/odd'), noop('/large')] }),
    )
    after(() => running.close())
    const line = async (path: string) =>
      (await sendRaw(running.url, rawRequest([`GET ${path} HTTP/1.1`, 'Host: x']))).head.split('\r\n')[0]
    assert.equal(await line('/teapot'), "HTTP/1.1 418 I'm a teapot")
    assert.equal(await line('/odd'), 'HTTP/1.1 599 status code 599')
    assert.equal(await line('/large'), 'HTTP/1.1 413 Request Entity Too Large')
    assert.equal(await line('/nowhere'), 'HTTP/1.1 404 Not Found')
  })

  test('oversized request headers are refused (431) and the gateway keeps serving', async () => {
    const b = await backend({ '/fast': { body: { ok: 1 } } })
    const running = await startGateway(config(b, { max_header_bytes: 2048 }))
    after(() => running.close())
    const res = await send(running.url, { path: '/fast', headers: { 'x-big': 'y'.repeat(8000) } })
    assert.equal(res.status, 431)
    assert.equal((await send(running.url, { path: '/fast' })).status, 200)
  })

  test('a backend streaming an over-limit body is cut and answered 500', async () => {
    const b = await backend({ '/fast': { raw: JSON.stringify({ big: 'z'.repeat(5000) }) } })
    const running = await startGateway(
      config(b, { extra_config: { 'gwdeploy/runtime': { max_backend_body_bytes: 1000 } } }),
    )
    after(() => running.close())
    assert.equal((await send(running.url, { path: '/fast' })).status, 500)
    assert.equal((await send(running.url, { path: '/__health' })).status, 200)
  })
})
