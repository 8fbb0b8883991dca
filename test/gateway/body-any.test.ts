// A client's request body reaches every backend, whatever the endpoint's and the backends'
// methods, framed as KrakenD's Go transport frames it (lura's proxy/http.go hands
// http.NewRequest the server's body): what HTTP/1.1 chunked bodies and h2c bodies on GET
// requests give, which the data-driven conformance cases cannot send.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect as connectH2 } from 'node:http2'
import { connect as connectTcp, createServer, type Socket } from 'node:net'
import { after, describe, test } from 'node:test'
import {
  mustConfig,
  type Running,
  rawRequest,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from './helpers.ts'

const ok = { status: 200, body: { ok: 1 } }

async function setUp(extra: Record<string, unknown> = {}): Promise<{ b: TestBackend; gw: Running }> {
  const b = await startBackend('b', { '/get': ok, '/post': ok })
  const backend = (path: string, method: string) => ({ host: [b.origin], url_pattern: path, method })
  const gw = await startGateway(
    mustConfig({
      version: 3,
      ...extra,
      endpoints: [
        { endpoint: '/get', method: 'GET', backend: [backend('/get', 'GET')] },
        { endpoint: '/post', method: 'GET', backend: [backend('/post', 'POST')] },
        { endpoint: '/p-post', method: 'POST', backend: [backend('/post', 'POST')] },
        {
          endpoint: '/sized',
          method: 'GET',
          input_headers: ['Content-Length'],
          backend: [backend('/get', 'GET')],
        },
      ],
    }),
  )
  after(async () => {
    await gw.close()
    await b.close()
  })
  return { b, gw }
}

const last = (b: TestBackend) => {
  const seen = b.seen[b.seen.length - 1]
  assert.ok(seen, 'the backend was called')
  return seen
}

/** One h2c request whose HEADERS frame does not end the stream (node's client ends a GET's at once). */
async function h2Request(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; text: string }> {
  const session = connectH2(url)
  try {
    return await new Promise((resolve, reject) => {
      session.on('error', reject)
      const stream = session.request(headers, { endStream: false })
      stream.end(body)
      let status = 0
      stream.on('response', (h) => {
        status = Number(h[':status'])
      })
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => resolve({ status, text: Buffer.concat(chunks).toString() }))
      stream.on('error', reject)
    })
  } finally {
    session.close()
  }
}

describe('a client body reaches every backend (HTTP/1.1 chunked, h2c)', () => {
  test('a chunked GET body goes to a GET backend chunked', async () => {
    const { b, gw } = await setUp()
    const { status } = await sendRaw(
      gw.url,
      `${rawRequest(['GET /get HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked'])}5\r\nhello\r\n0\r\n\r\n`,
    )
    assert.equal(status, 200)
    const seen = last(b)
    assert.equal(seen.method, 'GET')
    assert.equal(seen.headers['transfer-encoding'], 'chunked')
    assert.equal(seen.headers['content-length'], undefined)
    assert.equal(seen.body, 'hello')
  })

  test('an empty chunked body: a POST backend gets an empty chunked body, a GET backend nothing', async () => {
    const { b, gw } = await setUp()
    const empty = (line: string) => `${rawRequest([line, 'Host: x', 'Transfer-Encoding: chunked'])}0\r\n\r\n`
    assert.equal((await sendRaw(gw.url, empty('POST /p-post HTTP/1.1'))).status, 200)
    let seen = last(b)
    assert.equal(seen.method, 'POST')
    assert.equal(seen.headers['transfer-encoding'], 'chunked')
    assert.equal(seen.headers['content-length'], undefined)
    assert.equal(seen.headers['x-gateway-empty-chunked-body'], undefined)
    assert.equal(seen.body, '')
    assert.equal((await sendRaw(gw.url, empty('GET /get HTTP/1.1'))).status, 200)
    seen = last(b)
    assert.equal(seen.method, 'GET')
    assert.equal(seen.headers['transfer-encoding'], undefined)
    assert.equal(seen.headers['content-length'], undefined)
  })

  test('Content-Length: 0 is no body (http.NoBody): a POST backend gets Content-Length: 0', async () => {
    const { b, gw } = await setUp()
    const { status } = await sendRaw(
      gw.url,
      rawRequest(['GET /post HTTP/1.1', 'Host: x', 'Content-Length: 0']),
    )
    assert.equal(status, 200)
    const seen = last(b)
    assert.equal(seen.method, 'POST')
    assert.equal(seen.headers['content-length'], '0')
    assert.equal(seen.headers['transfer-encoding'], undefined)
  })

  test('Expect: 100-continue on a GET with a body is answered, and the body forwarded', async () => {
    const { b, gw } = await setUp()
    const { port } = new URL(gw.url)
    const socket: Socket = connectTcp(Number(port), '127.0.0.1')
    socket.write(rawRequest(['GET /get HTTP/1.1', 'Host: x', 'Content-Length: 5', 'Expect: 100-continue']))
    const [first] = (await once(socket, 'data')) as [Buffer]
    assert.match(first.toString('latin1'), /^HTTP\/1\.1 100 Continue\r\n/)
    socket.write('hello')
    const chunks: Buffer[] = []
    for await (const chunk of socket) chunks.push(chunk as Buffer)
    assert.match(Buffer.concat(chunks).toString('latin1'), /^HTTP\/1\.1 200 OK\r\n/)
    assert.equal(last(b).body, 'hello')
    assert.equal(last(b).headers['transfer-encoding'], 'chunked')
  })

  test("h2c Expect as Go's HTTP/2 server: 100-continue is answered when the body is read, another expectation refuses nothing; CONNECT routed on an empty path (404)", async () => {
    const { b, gw } = await setUp()
    const session = connectH2(gw.url)
    after(() => session.close())
    const stream = session.request(
      { ':method': 'GET', ':path': '/get', expect: '100-continue' },
      { endStream: false },
    )
    const [informational] = (await once(stream, 'continue')) as unknown[]
    assert.equal(informational, undefined)
    stream.end('hello')
    const [headers] = (await once(stream, 'response')) as [Record<string, unknown>]
    assert.equal(headers[':status'], 200)
    stream.resume()
    await once(stream, 'end')
    assert.equal(last(b).body, 'hello')
    // A route that never reads the body never invites it: the answer comes without a 100.
    const unread = session.request(
      { ':method': 'POST', ':path': '/nowhere', expect: '100-continue' },
      { endStream: false },
    )
    let continued = false
    unread.on('continue', () => {
      continued = true
    })
    const [notFound] = (await once(unread, 'response')) as [Record<string, unknown>]
    assert.equal(notFound[':status'], 404)
    assert.equal(continued, false)
    unread.close()
    const answered = async (request: Record<string, string>, body?: string) => {
      const other = session.request(request, { endStream: body === undefined })
      if (body !== undefined) other.end(body)
      const [answer] = (await once(other, 'response')) as [Record<string, unknown>]
      other.resume()
      await once(other, 'end')
      return answer[':status']
    }
    assert.equal(
      await answered({ ':method': 'GET', ':path': '/get', expect: 'something-else' }, 'again'),
      200,
    )
    assert.equal(last(b).body, 'again')
    // x/net/http2 makes a CONNECT's URL of its authority alone: gin finds no route for the empty path.
    assert.equal(await answered({ ':method': 'CONNECT', ':authority': 'example.com:443' }), 404)
    assert.equal(b.seen.length, 2, 'CONNECT reaches no backend')
  })

  test('an h2c GET body goes to a GET backend chunked, with its Content-Length when forwarded', async () => {
    const { b, gw } = await setUp()
    let res = await h2Request(gw.url, { ':method': 'GET', ':path': '/get' }, 'hello')
    assert.equal(res.status, 200)
    assert.equal(last(b).headers['transfer-encoding'], 'chunked')
    assert.equal(last(b).body, 'hello')
    res = await h2Request(gw.url, { ':method': 'GET', ':path': '/sized', 'content-length': '5' }, 'hello')
    assert.equal(res.status, 200)
    assert.equal(last(b).headers['content-length'], '5')
    assert.equal(last(b).headers['transfer-encoding'], undefined)
    assert.equal(last(b).body, 'hello')
  })

  test('router.max_payload refuses an h2c GET body over it (413)', async () => {
    const { b, gw } = await setUp({ extra_config: { router: { max_payload: 4 } } })
    const res = await h2Request(gw.url, { ':method': 'GET', ':path': '/get' }, 'hello')
    assert.equal(res.status, 413)
    assert.equal(b.seen.length, 0)
  })
})

describe('the empty chunked body on the wire', () => {
  test('a POST backend reads the chunked framing and the last chunk alone, no mark, no Content-Length', async () => {
    let head = ''
    const raw = createServer((socket) => {
      let text = ''
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1')
        const end = text.indexOf('\r\n\r\n')
        if (end === -1 || !text.endsWith('0\r\n\r\n') || text.length < end + 9) return
        head = text
        socket.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}')
      })
    })
    raw.listen(0, '127.0.0.1')
    await once(raw, 'listening')
    const { port } = raw.address() as { port: number }
    const gw = await startGateway(
      mustConfig({
        version: 3,
        endpoints: [
          {
            endpoint: '/e',
            method: 'POST',
            backend: [{ host: [`http://127.0.0.1:${port}`], url_pattern: '/e', method: 'POST' }],
          },
        ],
      }),
    )
    after(async () => {
      await gw.close()
      raw.close()
    })
    const { status } = await sendRaw(
      gw.url,
      `${rawRequest(['POST /e HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked'])}0\r\n\r\n`,
    )
    assert.equal(status, 200)
    const lines = head.toLowerCase().split('\r\n')
    assert.equal(lines[0], 'post /e http/1.1')
    assert.ok(lines.includes('transfer-encoding: chunked'), head)
    assert.ok(!lines.some((l) => l.startsWith('content-length:')), head)
    assert.ok(!lines.some((l) => l.startsWith('x-gateway-')), head)
    assert.ok(!lines.some((l) => l.startsWith('connection:')), head)
    assert.ok(head.endsWith('\r\n\r\n0\r\n\r\n'), JSON.stringify(head))
  })
})
