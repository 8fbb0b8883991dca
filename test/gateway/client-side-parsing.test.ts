// Requests Go's net/http server and x/net/http2 (KrakenD's) refuse before gin runs, and that
// node:http / nghttp2 let through: each must be refused here too, its backend never called.
// Expected answers from Go's sources (net/http server.go readRequest and serve, x/net/http2
// server.go newWriterAndRequest, internal/httpcommon NewServerRequest).
import assert from 'node:assert/strict'
import { connect } from 'node:http2'
import { connect as connectTcp } from 'node:net'
import { describe, test } from 'node:test'
import { gatewayWith } from './gateway-fixture.ts'
import { rawRequest, sendH2, sendRaw } from './helpers.ts'

/** One h2c stream with exactly these pseudo-headers: its status, or the code it was reset with. */
async function h2Exchange(url: string, headers: Record<string, string>): Promise<string> {
  const session = connect(url)
  try {
    return await new Promise<string>((resolve, reject) => {
      session.on('error', reject)
      const stream = session.request(headers, { endStream: true })
      let status = ''
      stream.on('response', (h) => {
        status = String(h[':status'])
      })
      stream.on('error', () => {})
      stream.resume()
      stream.on('close', () => resolve(status === '' ? `reset ${stream.rstCode}` : status))
    })
  } finally {
    session.close()
  }
}

describe('client side: what Go refuses before routing is refused', () => {
  const gw = gatewayWith(
    (backend) => ({
      version: 3,
      endpoints: [
        { endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/echo/a' }] },
        { endpoint: '/users/{id}', backend: [{ host: [backend.origin], url_pattern: '/echo/user/{id}' }] },
        {
          endpoint: '/p',
          method: 'POST',
          backend: [{ host: [backend.origin], url_pattern: '/echo/p', method: 'POST' }],
        },
        { endpoint: '/café', backend: [{ host: [backend.origin], url_pattern: '/echo/cafe' }] },
      ],
    }),
    { backends: { b: {} } },
  )

  test('an HTTP/0.9 or HTTP/2.0 request line is 505 (http1ServerSupportsRequest), not routed', async () => {
    const before = gw.backend.seen.length
    for (const version of ['HTTP/0.9', 'HTTP/2.0']) {
      const { head } = await sendRaw(gw.url, rawRequest([`GET /a ${version}`, 'Host: x']))
      assert.equal(
        head,
        'HTTP/1.1 505 HTTP Version Not Supported: unsupported protocol version\r\n' +
          'Content-Type: text/plain; charset=utf-8\r\nConnection: close',
        version,
      )
    }
    assert.equal(gw.backend.seen.length, before)
  })

  test('an Expect other than 100-continue is 417, over HTTP/1.0 too', async () => {
    const before = gw.backend.seen.length
    const refused = await sendRaw(gw.url, rawRequest(['GET /a HTTP/1.0', 'Expect: foo']))
    assert.equal(refused.status, 417)
    assert.match(refused.head, /\r\nConnection: close(\r\n|$)/)
    assert.equal(gw.backend.seen.length, before)
    // Go's hasToken takes 100-continue only between spaces, tabs and commas: node:http's did more.
    for (const expect of ['x-100-continue', '100-continue-x']) {
      const { status } = await sendRaw(
        gw.url,
        rawRequest(['GET /a HTTP/1.1', 'Host: x', `Expect: ${expect}`, 'Content-Length: 1']).replace(
          /$/,
          'x',
        ),
      )
      assert.equal(status, 417, expect)
    }
    assert.equal(gw.backend.seen.length, before)
    // Go's hasToken: 100-continue among others is honoured (HTTP/1.0 just gets no 100).
    const served = await sendRaw(gw.url, rawRequest(['GET /a HTTP/1.0', 'Expect: foo, 100-Continue']))
    assert.equal(served.status, 200)
  })

  test("Expect is its first line, as Go's Header.get reads it, and an empty one expects nothing (node:http answered 417)", async () => {
    // KrakenD CE 2.13.8's answers (checked on the oracle build).
    const cases: Array<[lines: string[], status: number]> = [
      [['Host: x', 'Expect: '], 200],
      [['Host: x', 'Expect:', 'Expect: foo'], 200],
      [['Host: x', 'Expect: foo', 'Expect: 100-continue'], 417],
      [['Host: x', 'Expect: 100-continue', 'Expect: foo'], 200],
    ]
    for (const [lines, status] of cases) {
      const res = await sendRaw(gw.url, rawRequest(['GET /a HTTP/1.1', ...lines]))
      assert.equal(res.status, status, lines.join(' | '))
    }
    const old = await sendRaw(gw.url, rawRequest(['GET /a HTTP/1.0', 'Host: x', 'Expect: ', 'Expect: foo']))
    assert.equal(old.status, 200)
    // Go's 417 to HEAD is empty and carries no Content-Length (it sent Content-Length: 0).
    const head = await sendRaw(gw.url, rawRequest(['HEAD /a HTTP/1.1', 'Host: x', 'Expect: a']))
    assert.equal(head.status, 417)
    assert.doesNotMatch(head.head, /Content-Length/i)
  })

  test('a control byte in the target of a method llhttp does not know is 400, as url.Parse refuses it (it was routed: 405)', async () => {
    const before = gw.backend.seen.length
    for (const target of ['/a\x7f', '/a\x01?x', '/users/a\x1fb']) {
      const { head } = await sendRaw(
        gw.url,
        Buffer.from(rawRequest([`get ${target} HTTP/1.1`, 'Host: x']), 'latin1'),
      )
      assert.equal(head.split('\r\n')[0], 'HTTP/1.1 400 Bad Request', JSON.stringify(target))
    }
    // A byte past ASCII is no control byte: routed (405 with Allow).
    const { status } = await sendRaw(
      gw.url,
      Buffer.from(rawRequest(['get /users/\xe9 HTTP/1.1', 'Host: x']), 'latin1'),
    )
    assert.equal(status, 405)
    assert.equal(gw.backend.seen.length, before)
  })

  test("Go's readRequest checks come in its order: the target, Host lines, Transfer-Encoding, version, Host, then Expect", async () => {
    const before = gw.backend.seen.length
    // KrakenD CE 2.13.8's status lines (checked on the oracle build).
    const cases: Array<[lines: string[], statusLine: string]> = [
      [['GET /a HTTP/1.1', 'Expect: foo'], '400 Bad Request: missing required Host header'],
      [['GET /a HTTP/1.1', 'Host: x y', 'Expect: foo'], '400 Bad Request: malformed Host header'],
      [['GET http://h/a HTTP/1.1', 'Expect: foo'], '400 Bad Request: missing required Host header'],
      [['GET /a%zz HTTP/1.1'], '400 Bad Request'],
      [['GET http://x%/a HTTP/1.1'], '400 Bad Request'],
      [['GET /a%zz HTTP/2.0', 'Host: x'], '400 Bad Request'],
      [['GET /a HTTP/1.1', 'Transfer-Encoding: gzip'], '501 Not Implemented'],
      [['GET /a HTTP/2.0', 'Host: x', 'Transfer-Encoding: gzip'], '501 Not Implemented'],
      [['GET /a HTTP/1.1', 'Host: x', 'Host: y', 'Transfer-Encoding: gzip'], '400 Bad Request'],
    ]
    for (const [lines, statusLine] of cases) {
      const { head } = await sendRaw(gw.url, rawRequest(lines))
      assert.equal(head.split('\r\n')[0], `HTTP/1.1 ${statusLine}`, lines.join(' | '))
    }
    assert.equal(gw.backend.seen.length, before)
  })

  test("a chunked request whose Trailer names Content-Length, Transfer-Encoding or Trailer is Go's plain 400 (fixTrailer)", async () => {
    const before = gw.backend.seen.length
    const chunked = (trailers: string[], version = 'HTTP/1.1') =>
      `${rawRequest([`POST /p ${version}`, 'Host: x', 'Transfer-Encoding: chunked', ...trailers])}3\r\nabc\r\n0\r\n\r\n`
    for (const trailers of [
      ['Trailer: Content-Length'],
      ['Trailer: transfer-encoding'],
      ['Trailer: TRAILER'],
      ['Trailer: X-Tr,  Content-Length '],
      ['Trailer: X-Tr', 'Trailer: Content-Length'],
    ]) {
      const { head } = await sendRaw(gw.url, chunked(trailers))
      assert.equal(head.split('\r\n')[0], 'HTTP/1.1 400 Bad Request', trailers.join(' | '))
    }
    assert.equal(gw.backend.seen.length, before)
    // other keys, a body with a length, or HTTP/1.0 (its Transfer-Encoding ignored): served
    assert.equal((await sendRaw(gw.url, chunked(['Trailer: X-Tr, Host']))).status, 200)
    const sized = `${rawRequest(['POST /p HTTP/1.1', 'Host: x', 'Content-Length: 3', 'Trailer: Content-Length'])}abc`
    assert.equal((await sendRaw(gw.url, sized)).status, 200)
    assert.equal(gw.backend.seen.length, before + 2)
  })

  test('an HTTP/1.0 connection is kept only for keep-alive in the first Connection line, as Go keeps it', async () => {
    // Two requests in one write: the second is answered only on a connection kept after the first.
    // KrakenD CE 2.13.8's (checked on the oracle build); llhttp also kept it for Proxy-Connection:
    // keep-alive and for keep-alive in a later Connection line, writing Connection: keep-alive.
    const statuses = async (first: string[]) => {
      const { hostname, port } = new URL(gw.url)
      const socket = connectTcp(Number(port), hostname)
      socket.write(`${first.join('\r\n')}\r\n\r\nGET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
      const chunks: Buffer[] = []
      for await (const chunk of socket) chunks.push(chunk as Buffer)
      return (
        Buffer.concat(chunks)
          .toString('latin1')
          .match(/HTTP\/1\.[01] \d{3}|Connection: keep-alive/g) ?? []
      )
    }
    const closed = ['HTTP/1.0 200']
    assert.deepEqual(await statuses(['GET /a HTTP/1.0', 'Host: x', 'Proxy-Connection: keep-alive']), closed)
    assert.deepEqual(
      await statuses(['GET /a HTTP/1.0', 'Host: x', 'Connection: x', 'Connection: keep-alive']),
      closed,
    )
    // A close beside keep-alive counts for nothing (Go's wantsHttp10KeepAlive).
    assert.deepEqual(await statuses(['GET /a HTTP/1.0', 'Host: x', 'Connection: keep-alive, close']), [
      'HTTP/1.0 200',
      'Connection: keep-alive',
      'HTTP/1.1 200',
    ])
  })

  /** The status of `GET target` (Host: h). */
  const getStatus = async (target: string) =>
    (await sendRaw(gw.url, rawRequest([`GET ${target} HTTP/1.1`, 'Host: h']))).status

  test('an absolute-form target with an authority url.ParseRequestURI refuses is 400, not routed', async () => {
    const before = gw.backend.seen.length
    for (const target of [
      'http://x%/a',
      'http://x%41/a',
      'http://[x]/a',
      'http://[::1/a',
      'http://x:p/a',
      'http://u%zz@x/a',
      'http://x#/a',
    ])
      assert.equal(await getStatus(target), 400, target)
    assert.equal(gw.backend.seen.length, before)
    // A valid one is routed by its path, its host taking the Host header's place.
    for (const target of ['http://u:p@[::1]:8080/a', 'HTTP://x/a?q', 'http://x%c3%a9/a'])
      assert.equal(await getStatus(target), 200, target)
  })

  test("a raw byte past ASCII in an absolute-form target's userinfo is 400 (Go's validUserinfo); its %XX form is routed", async () => {
    const before = gw.backend.seen.length
    for (const target of ['http://\u00e9@x/a', 'http://u:\u00e9@x/a', 'http://u\u00e9:p@[::1]:8080/a?q'])
      assert.equal(await getStatus(target), 400, target)
    assert.equal(gw.backend.seen.length, before)
    for (const target of ['http://%C3%A9@x/a', 'http://u@\u00e9x/a', 'http://x/a?\u00e9@'])
      assert.equal(await getStatus(target), 200, target)
  })

  test('a method llhttp does not know (lowercase, custom) is routed as gin routes it: 405 with Allow, or 404', async () => {
    const before = gw.backend.seen.length
    const lower = await sendRaw(gw.url, rawRequest(['get /a HTTP/1.1', 'Host: x']))
    assert.equal(lower.status, 405)
    assert.match(lower.head, /\r\nAllow: GET\r\n/)
    const custom = await sendRaw(
      gw.url,
      `${rawRequest(['PURGE /p HTTP/1.1', 'Host: x', 'Content-Length: 2'])}{}`,
    )
    assert.equal(custom.status, 405)
    assert.match(custom.head, /\r\nAllow: POST\r\n/)
    assert.equal((await sendRaw(gw.url, rawRequest(['FOO /nowhere HTTP/1.1', 'Host: x']))).status, 404)
    // What Go refuses in such a request is refused the same way.
    assert.equal((await sendRaw(gw.url, rawRequest(['F(O /a HTTP/1.1', 'Host: x']))).status, 400)
    assert.equal((await sendRaw(gw.url, rawRequest(['FOO /a HTTP/1.1']))).status, 400)
    assert.equal((await sendRaw(gw.url, rawRequest(['FOO /a HTTP/2.0', 'Host: x']))).status, 505)
    assert.equal(gw.backend.seen.length, before)
    // Pipelined after a request node:http parsed, the packet's first head is never served again.
    await sendRaw(gw.url, `GET /a HTTP/1.1\r\nHost: x\r\n\r\n${rawRequest(['FOO /a HTTP/1.1', 'Host: x'])}`)
    assert.ok(gw.backend.seen.length <= before + 1)
  })

  test('a * target with another method than OPTIONS is routed as gin routes it: 404, not 400', async () => {
    for (const method of ['GET', 'DELETE']) {
      const { status } = await sendRaw(gw.url, rawRequest([`${method} * HTTP/1.1`, 'Host: x']))
      assert.equal(status, 404, method)
    }
  })

  test('CONNECT is routed as Go routes it (no route has the method): 405 with Allow, 404, 400 for a bad authority', async () => {
    const before = gw.backend.seen.length
    const onPath = await sendRaw(gw.url, 'CONNECT /a HTTP/1.1\r\nHost: x\r\n\r\n')
    assert.equal(onPath.status, 405)
    assert.match(onPath.head, /\r\nAllow: GET\r\n/)
    assert.equal((await sendRaw(gw.url, 'CONNECT x:443 HTTP/1.1\r\n\r\n')).status, 404)
    assert.equal((await sendRaw(gw.url, 'CONNECT [x]:443 HTTP/1.1\r\nHost: x\r\n\r\n')).status, 400)
    assert.equal(gw.backend.seen.length, before)
  })

  test('h2c: a :scheme other than http or https, or a :path with a bad escape, is reset', async () => {
    const before = gw.backend.seen.length
    const base = { ':method': 'GET', ':authority': 'x' }
    assert.equal(await h2Exchange(gw.url, { ...base, ':scheme': 'ftp', ':path': '/a' }), 'reset 1')
    assert.equal(await h2Exchange(gw.url, { ...base, ':scheme': 'HTTP', ':path': '/a' }), 'reset 1')
    assert.equal(await h2Exchange(gw.url, { ...base, ':scheme': 'http', ':path': '/users/1%zz' }), 'reset 1')
    assert.equal(await h2Exchange(gw.url, { ...base, ':scheme': 'http', ':path': '/users/1%2' }), 'reset 1')
    assert.equal(gw.backend.seen.length, before)
    // The query is not unescaped by ParseRequestURI: a bad escape there is the backend's business.
    assert.equal(await h2Exchange(gw.url, { ...base, ':scheme': 'https', ':path': '/a?q=%zz' }), '200')
  })

  test('h2c: Expect with 100-continue as one of its tokens, in any case, gets the 100 when the body is read', async () => {
    const session = connect(gw.url)
    try {
      const stream = session.request({
        ':method': 'POST',
        ':path': '/p',
        expect: 'foo, 100-Continue',
        'content-type': 'application/json',
      })
      // The body goes after the 100, or after 5 s without one (the request is then read anyway).
      const continued = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 5000)
        stream.once('continue', () => {
          clearTimeout(timer)
          resolve(true)
        })
      })
      stream.end('{"a":1}')
      const status = await new Promise<number>((resolve, reject) => {
        stream.on('response', (h) => resolve(Number(h[':status'])))
        stream.on('error', reject)
      })
      stream.resume()
      assert.equal(continued, true)
      assert.equal(status, 200)
    } finally {
      session.close()
    }
  })

  test('h2c: a raw :path is bytes: UTF-8 routes to /café, a lone Latin-1 é (0xE9) does not', async () => {
    // node:http2 writes each character of a header value as one byte.
    const utf8 = Buffer.from('/café').toString('latin1')
    const served = await sendH2(gw.url, { path: utf8 })
    assert.equal(served.status, 200)
    assert.equal(JSON.parse(served.text).url, '/echo/cafe')
    const before = gw.backend.seen.length
    const latin1 = await sendH2(gw.url, { path: '/caf\u00e9' })
    assert.equal(latin1.status, 404)
    assert.equal(gw.backend.seen.length, before)
  })
})
