// Header names on the wire: Go writes every answer header in textproto's canonical form (its
// server for the gateway's own headers, its client for a backend's), so an HTTP/1.1 client of
// KrakenD reads `Content-Type` and `X-Krakend-Completed`, never `content-type`.
import assert from 'node:assert/strict'
import {
  type AddressInfo,
  connect,
  createServer as createNetServer,
  type Server as NetServer,
} from 'node:net'
import { after, before, describe, test } from 'node:test'
import { canonicalHeaderKey } from '../../src/gateway/go-url.ts'
import { gatewayWith } from './gateway-fixture.ts'
import { mustConfig, type Running, rawRequest, sendRaw, startGateway } from './helpers.ts'

/** The header names of an answer's head, as written. */
const headerNames = (head: string): string[] =>
  head
    .split('\r\n')
    .slice(1)
    .map((line) => line.slice(0, line.indexOf(':')))

describe('answer header names over HTTP/1.1 are Go-canonical', () => {
  const gw = gatewayWith(
    (backend) => ({
      version: 3,
      extra_config: {
        'security/cors': { allow_origins: ['https://app.example'], expose_headers: ['X-Total'] },
        'security/http': { frame_deny: true, content_type_nosniff: true, browser_xss_filter: true },
      },
      endpoints: [
        {
          endpoint: '/json',
          cache_ttl: '60s',
          backend: [{ host: [backend.origin], url_pattern: '/json' }],
        },
        {
          endpoint: '/noop',
          output_encoding: 'no-op',
          backend: [{ host: [backend.origin], url_pattern: '/json', encoding: 'no-op' }],
        },
        { endpoint: '/fail', backend: [{ host: [backend.origin], url_pattern: '/gone' }] },
        { endpoint: '/dir/', backend: [{ host: [backend.origin], url_pattern: '/json' }] },
      ],
    }),
    {
      backends: {
        b: {
          '/json': {
            body: { a: 1 },
            headers: { 'x-my-thing': '1', 'www-authenticate': 'Basic', x_odd: '2' },
          },
          '/gone': { status: 404, raw: 'gone' },
        },
      },
    },
  )

  const answer = async (lines: string[]) => {
    const { status, head } = await sendRaw(gw.url, rawRequest(lines))
    const names = headerNames(head)
    for (const name of names) assert.equal(name, canonicalHeaderKey(name), `${name} in\n${head}`)
    return { status, names }
  }

  test('a rendered answer with CORS and security headers', async () => {
    const { status, names } = await answer(['GET /json HTTP/1.1', 'Host: x', 'Origin: https://app.example'])
    assert.equal(status, 200)
    for (const name of [
      'Content-Type',
      'Content-Length',
      'Cache-Control',
      'X-Krakend',
      'X-Krakend-Completed',
      'Vary',
      'Access-Control-Allow-Origin',
      'Access-Control-Expose-Headers',
      'X-Frame-Options',
      'X-Content-Type-Options',
      'X-Xss-Protection',
      'Connection',
    ])
      assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`)
  })

  test("a no-op answer writes the backend's names as Go's client reads them", async () => {
    const { status, names } = await answer(['GET /noop HTTP/1.1', 'Host: x'])
    assert.equal(status, 200)
    for (const name of [
      'X-My-Thing',
      'Www-Authenticate',
      'X_odd',
      'Content-Type',
      'Date',
      'X-Krakend-Completed',
    ])
      assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`)
  })

  test('errors, 404, 405, redirects and preflights', async () => {
    assert.equal((await answer(['GET /fail HTTP/1.1', 'Host: x'])).status, 500)
    assert.ok((await answer(['GET /nowhere HTTP/1.1', 'Host: x'])).names.includes('Content-Type'))
    const moved = await answer(['GET /dir HTTP/1.1', 'Host: x'])
    assert.equal(moved.status, 301)
    assert.ok(moved.names.includes('Location'))
    const preflight = await answer([
      'OPTIONS /json HTTP/1.1',
      'Host: x',
      'Origin: https://app.example',
      'Access-Control-Request-Method: GET',
    ])
    assert.ok(preflight.names.includes('Access-Control-Allow-Methods'), preflight.names.join(', '))
  })
})

describe("a no-op answer's connection headers, as KrakenD passes them on", () => {
  let raw: NetServer
  let gw: Running
  before(async () => {
    // A backend that names connection headers of its own (written raw: node:http would vet them).
    raw = createNetServer((socket) =>
      socket.on('data', () =>
        socket.write(
          [
            'HTTP/1.1 200 OK',
            'Content-Type: text/plain',
            'Connection: keep-alive, X-Hop',
            'Keep-Alive: timeout=7',
            'Proxy-Connection: keep-alive',
            'Upgrade: foo',
            'TE: trailers',
            'X-Hop: 1',
            'Content-Length: 2',
            '',
            'ok',
          ].join('\r\n'),
        ),
      ),
    )
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve))
    const origin = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`
    gw = await startGateway(
      mustConfig({
        version: 3,
        endpoints: [
          {
            endpoint: '/noop',
            output_encoding: 'no-op',
            backend: [{ host: [origin], url_pattern: '/x', encoding: 'no-op' }],
          },
        ],
      }),
    )
  })
  after(async () => {
    await gw?.close()
    raw?.close()
  })

  /** The head of one answer on a connection kept open. */
  const keptHead = async () => {
    const socket = connect(Number(new URL(gw.url).port), '127.0.0.1')
    socket.write('GET /noop HTTP/1.1\r\nHost: x\r\n\r\n')
    let seen = ''
    for await (const chunk of socket) {
      seen += (chunk as Buffer).toString('latin1')
      if (seen.includes('\r\n\r\n')) break
    }
    socket.destroy()
    return seen.split('\r\n\r\n')[0] as string
  }

  test("over HTTP/1.1 Go's client keeps them and gin writes them (Transfer-Encoding aside)", async () => {
    const head = await keptHead()
    assert.match(head, /^HTTP\/1\.1 200 /)
    for (const line of [
      'Connection: keep-alive, X-Hop',
      'Keep-Alive: timeout=7',
      'Proxy-Connection: keep-alive',
      'Upgrade: foo',
      'Te: trailers',
      'X-Hop: 1',
    ])
      assert.ok(
        head.includes(`\r\n${line}\r\n`) || head.endsWith(`\r\n${line}`),
        `${line} missing from\n${head}`,
      )
    // A client that asked to close gets Go's `Connection: close` instead of the backend's.
    const closing = await sendRaw(gw.url, 'GET /noop HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    assert.match(closing.head, /\r\nConnection: close\r\n/)
    assert.doesNotMatch(closing.head, /keep-alive, X-Hop/)
  })
})

describe("a no-op answer whose status has no body, as Go's HTTP/1.1 server writes its head", () => {
  let raw: NetServer
  let gw: Running
  before(async () => {
    // The backend's status comes from the path; both declare a type and a length (written raw).
    raw = createNetServer((socket) =>
      socket.on('data', (chunk: Buffer) => {
        const status = chunk.toString('latin1').startsWith('GET /304') ? '304 Not Modified' : '204 No Content'
        socket.write(
          `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: 0\r\nEtag: "v1"\r\n\r\n`,
        )
      }),
    )
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve))
    const origin = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`
    gw = await startGateway(
      mustConfig({
        version: 3,
        endpoints: ['304', '204'].map((status) => ({
          endpoint: `/${status}`,
          output_encoding: 'no-op',
          backend: [{ host: [origin], url_pattern: `/${status}`, encoding: 'no-op' }],
        })),
      }),
    )
  })
  after(async () => {
    await gw?.close()
    raw?.close()
  })

  test('a 304 loses Content-Type and Content-Length, a 204 its Content-Length; the rest passes on', async () => {
    const notModified = await sendRaw(gw.url, rawRequest(['GET /304 HTTP/1.1', 'Host: x']))
    assert.equal(notModified.status, 304)
    assert.deepEqual(
      headerNames(notModified.head).filter((n) => /^(Content-|Etag)/.test(n)),
      ['Etag'],
      notModified.head,
    )
    const noContent = await sendRaw(gw.url, rawRequest(['GET /204 HTTP/1.1', 'Host: x']))
    assert.equal(noContent.status, 204)
    assert.deepEqual(
      headerNames(noContent.head).filter((n) => /^(Content-|Etag)/.test(n)),
      ['Content-Type', 'Etag'],
      noContent.head,
    )
  })
})
