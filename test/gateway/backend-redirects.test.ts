// The headers of a backend call's redirect hops, as Go's http.Client (net/http client.go,
// makeHeadersCopier) writes them: credentials only to the first request's host or its subdomains,
// the body's headers dropped with the body (301/302/303), kept on a 307/308 that sends it again.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { BackendRequest, Hop, HopRequest } from '../../src/gateway/backend-client.ts'
import { followRedirects } from '../../src/gateway/backend-redirects.ts'
import type { HeaderValues } from '../../src/gateway/request-headers.ts'
import type { Agent } from '../../src/gateway/undici.ts'
import { freePort } from '../helpers/free-port.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

const CREDENTIALS = {
  authorization: 'Bearer t',
  'www-authenticate': 'Basic',
  cookie: 'a=1',
  cookie2: 'b=2',
  'proxy-authorization': 'Basic cHJveHk6cw==',
  'proxy-authenticate': 'Basic',
}
const BODY = {
  'content-type': 'application/json',
  'content-encoding': 'identity',
  'content-language': 'en',
  'content-location': '/doc',
}

/** The headers of the hop after a `status` redirect to `location`, from a first request to a.example. */
async function nextHopHeaders(status: number, location: string, method = 'POST') {
  const headers = { ...CREDENTIALS, ...BODY, 'content-length': '2', 'x-kept': 'yes' }
  const req = {
    origin: 'http://a.example:8080',
    path: '/first',
    method,
    headers,
    replaysBody: true,
  } as unknown as BackendRequest
  const hop: HopRequest = {
    dispatcher: {} as Agent,
    origin: req.origin,
    path: '/first',
    method,
    headers,
    body: Buffer.from('{}'),
  }
  const answer = (statusCode: number, extra: Record<string, string> = {}): Hop<string> => ({
    statusCode,
    headers: extra,
    answer: '',
    discard: () => {},
  })
  const sent: HopRequest[] = []
  await followRedirects(
    req,
    hop,
    answer(status, { location }),
    async (next) => {
      sent.push({ ...next, headers: { ...next.headers } })
      return answer(200)
    },
    () => ({}) as Agent,
    { url: 'http://a.example:8080/first', errorUrl: 'http://a.example:8080/first' },
  )
  assert.equal(sent.length, 1)
  return (sent[0] as HopRequest).headers
}

describe("a backend redirect's headers (Go's http.Client)", () => {
  test('to another host: no credentials, proxy ones included', async () => {
    const headers = await nextHopHeaders(307, 'http://b.example/next')
    for (const name of Object.keys(CREDENTIALS)) assert.equal(headers[name], undefined, name)
    assert.equal(headers['x-kept'], 'yes')
  })

  test('to the same host on another port or scheme, or a subdomain: credentials kept', async () => {
    for (const location of [
      'http://a.example:9090/next',
      'https://a.example/next',
      'http://api.a.example/next',
    ]) {
      const headers = await nextHopHeaders(307, location)
      for (const [name, value] of Object.entries(CREDENTIALS))
        assert.equal(headers[name], value, `${location} ${name}`)
    }
  })

  test("a 302 drops the body and its length, not the body's other headers (Go 1.25); a 307 keeps all", async () => {
    const after302 = await nextHopHeaders(302, '/next')
    assert.equal(after302['content-length'], undefined)
    for (const [name, value] of Object.entries(BODY)) assert.equal(after302[name], value, name)
    assert.equal(after302.authorization, CREDENTIALS.authorization)
    const kept = await nextHopHeaders(307, '/next')
    for (const [name, value] of Object.entries({ ...BODY, 'content-length': '2' }))
      assert.equal(kept[name], value, name)
  })
})

/** A call to `url` whose answers are these redirects (`[status, Location]`), then a 200. */
async function follow(
  url: string,
  redirects: Array<[status: number, location: string]>,
  options: { method?: string; headers?: HeaderValues; body?: Buffer; fragment?: string } = {},
) {
  const { origin, pathname, search } = new URL(url)
  const headers = options.headers ?? { ...CREDENTIALS }
  const req = {
    origin,
    path: pathname + search,
    method: options.method ?? 'GET',
    headers,
    body: options.body,
    ...(options.fragment !== undefined ? { fragment: () => options.fragment } : {}),
  } as unknown as BackendRequest
  const hop: HopRequest = {
    dispatcher: {} as Agent,
    origin,
    path: req.path,
    method: req.method,
    headers,
    body: req.body,
  }
  const answer = (statusCode: number, location?: string): Hop<string> => ({
    statusCode,
    headers: location === undefined ? {} : { location },
    answer: String(statusCode),
    discard: () => {},
  })
  const sent: HopRequest[] = []
  const at = { url: origin + req.path, errorUrl: origin + req.path }
  const [status, location] = redirects[0] ?? [200]
  const last = await followRedirects(
    req,
    hop,
    answer(status, location),
    async (next) => {
      sent.push({ ...next, headers: { ...next.headers } })
      const [s, l] = redirects[sent.length] ?? [200]
      return answer(s, l)
    },
    () => ({}) as Agent,
    at,
  )
  return { sent, url: at.url, last: last?.answer, redirected: req.redirected }
}

const hopAt = (sent: HopRequest[], i: number) => sent[i] as HopRequest

describe("a backend redirect's URL: the Location resolved as Go's url.URL.Parse", () => {
  test('a backslash is a path byte: the same host, escaped (WHATWG would go to evil.example)', async () => {
    const { sent, url } = await follow('http://a.example:8080/first', [[302, '\\\\evil.example/x']])
    assert.equal(hopAt(sent, 0).origin, 'http://a.example:8080')
    assert.equal(hopAt(sent, 0).path, '/%5C%5Cevil.example/x')
    assert.equal(hopAt(sent, 0).headers.authorization, CREDENTIALS.authorization)
    assert.equal(url, 'http://a.example:8080/%5C%5Cevil.example/x')
  })

  test("an explicit default port stays in the Host header and in the next hop's Referer", async () => {
    const { sent, url } = await follow('http://a.example:8080/first', [
      [302, 'http://a.example:80/next'],
      [302, '/last'],
    ])
    assert.equal(hopAt(sent, 0).origin, 'http://a.example')
    assert.equal(hopAt(sent, 0).headers.host, 'a.example:80')
    assert.equal(hopAt(sent, 0).headers.referer, 'http://a.example:8080/first')
    assert.equal(hopAt(sent, 1).headers.host, 'a.example:80')
    assert.equal(hopAt(sent, 1).headers.referer, 'http://a.example:80/next')
    assert.equal(url, 'http://a.example:80/last')
  })

  test("a Location url.Parse refuses fails the call in Go's words, naming the URL that answered", async () => {
    await assert.rejects(follow('http://a.example:8080/first', [[302, 'http://[x/next']]), {
      name: 'BackendCallError',
      message:
        'Get "http://a.example:8080/first": failed to parse Location header "http://[x/next": parse "http://[x/next": missing \']\' in host',
    })
    // The first request's method names the call (Go's reqs[0].Method), after a 302 made it a GET.
    await assert.rejects(
      follow(
        'http://a.example:8080/first',
        [
          [302, '/ok'],
          [302, '%zz'],
        ],
        { method: 'POST' },
      ),
      {
        message:
          'Post "http://a.example:8080/ok": failed to parse Location header "%zz": parse "%zz": invalid URL escape "%zz"',
      },
    )
  })

  test("a Location Go's transport cannot call: another scheme, no host", async () => {
    for (const [location, message] of [
      ['ftp://a.example/next', 'Get "ftp://a.example/next": unsupported protocol scheme "ftp"'],
      ['http:next', 'Get "http:next": http: no Host in request URL'],
      ['http:///next', 'Get "http:///next": http: no Host in request URL'],
    ] as const)
      await assert.rejects(follow('http://a.example:8080/first', [[302, location]]), { message }, location)
  })

  test('a request target as Go writes it: `/` for an empty path; the Referer keeps the fragment', async () => {
    const { sent, url } = await follow(
      'http://a.example:8080/first?x=1',
      [
        [302, 'http://b.example:8080?y'],
        [302, '/n#g'],
      ],
      { fragment: 'f' },
    )
    assert.equal(hopAt(sent, 0).path, '/?y')
    assert.equal(hopAt(sent, 0).headers.referer, 'http://a.example:8080/first?x=1#f')
    assert.equal(hopAt(sent, 1).headers.referer, 'http://b.example:8080?y')
    assert.equal(url, 'http://b.example:8080/n#g')
  })

  test('Go makes 10 requests, the first one included, and names the Location it stopped at', async () => {
    const redirects = Array.from({ length: 11 }, (_, i): [number, string] => [302, `/r${i + 1}`])
    const { sent, url, last } = await follow('http://a.example:8080/r0', redirects)
    assert.deepEqual(
      sent.map((hop) => hop.path),
      ['/r1', '/r2', '/r3', '/r4', '/r5', '/r6', '/r7', '/r8', '/r9'],
    )
    assert.equal(last, undefined)
    assert.equal(url, '/r10')
  })
})

describe("a backend redirect's Referer, Host and credentials (Go's Client.do)", () => {
  test("https to http: no Referer, not even one an earlier hop added; the caller's own stays", async () => {
    const { sent } = await follow('http://a.example/1', [
      [302, '/2'],
      [302, 'https://a.example/3'],
      [302, 'http://a.example/4'],
    ])
    assert.equal(hopAt(sent, 0).headers.referer, 'http://a.example/1')
    assert.equal(hopAt(sent, 1).headers.referer, 'http://a.example/2')
    assert.equal(hopAt(sent, 2).headers.referer, undefined)
    const own = await follow('https://a.example/1', [[302, 'http://a.example/2']], {
      headers: { referer: 'http://me/' },
    })
    assert.equal(hopAt(own.sent, 0).headers.referer, 'http://me/')
  })

  test('an upper-case host is another host (idnaASCII keeps ASCII as written); an upper-case subdomain is not', async () => {
    const { sent } = await follow('http://a.example:8080/first', [[307, 'http://A.EXAMPLE:8080/next']])
    for (const name of Object.keys(CREDENTIALS)) assert.equal(hopAt(sent, 0).headers[name], undefined, name)
    assert.equal(hopAt(sent, 0).headers.host, 'A.EXAMPLE:8080')
    const sub = await follow('http://a.example:8080/first', [[307, 'http://API.a.example:8080/next']])
    assert.equal(hopAt(sub.sent, 0).headers.authorization, CREDENTIALS.authorization)
  })

  test('a later hop back to the first host after one to another host: still no credentials', async () => {
    const { sent } = await follow('http://a.example:8080/first', [
      [302, 'http://A.EXAMPLE:8080/next'],
      [302, 'http://a.example:8080/back'],
    ])
    for (const name of Object.keys(CREDENTIALS)) assert.equal(hopAt(sent, 1).headers[name], undefined, name)
    assert.equal(hopAt(sent, 1).origin, 'http://a.example:8080')
    assert.equal(hopAt(sent, 1).headers.host, undefined)
    assert.equal(hopAt(sent, 1).headers.referer, 'http://A.EXAMPLE:8080/next')
  })

  test('IDN hosts: compared in idna.Lookup form, sent in punycode with their case', async () => {
    // Location bytes as undici hands them (one character per byte).
    const latin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1')
    const { sent } = await follow('http://xn--bcher-kva.example/first', [
      [302, latin1('http://bücher.example/next')],
      [302, latin1('http://BÜCHER.example/n2')],
    ])
    assert.equal(hopAt(sent, 0).headers.authorization, CREDENTIALS.authorization)
    assert.equal(hopAt(sent, 0).headers.host, undefined)
    assert.equal(hopAt(sent, 1).headers.authorization, CREDENTIALS.authorization)
    assert.equal(hopAt(sent, 1).headers.host, 'xn--BCHER-2pa.example')
    assert.equal(hopAt(sent, 1).headers.referer, 'http://b%C3%BCcher.example/next')
  })

  test("a Host of the caller's own: kept for a relative Location, then lost for good after an absolute one", async () => {
    const { sent } = await follow(
      'http://a.example:8080/first',
      [
        [302, '/a'],
        [302, 'http://a.example:8080/b'],
        [302, '/c'],
      ],
      { headers: { host: 'custom.example' } },
    )
    assert.deepEqual(
      sent.map((hop) => hop.headers.host),
      ['custom.example', undefined, undefined],
    )
  })

  test('a 307 after a 302 dropped the body: Go stops there when the first request had a body it cannot send again', async () => {
    const { sent, last } = await follow(
      'http://a.example:8080/first',
      [
        [302, '/a'],
        [307, '/b'],
      ],
      { method: 'POST', headers: { 'content-type': 'text/plain' }, body: Buffer.from('x') },
    )
    assert.equal(sent.length, 1)
    assert.equal(hopAt(sent, 0).method, 'GET')
    assert.equal(last, '307')
  })
})

describe('a POST whose backend answers 302, through the gateway', () => {
  let backend: TestBackend
  let gw: Running
  let closedPort: number
  before(async () => {
    closedPort = await freePort()
    backend = await startBackend('api', {
      '/moved': { status: 302, location: '/echo/after' },
      '/slash': { status: 302, location: 'echo/\\\\evil.example/x' },
      '/secret': { status: 302, location: `http://user:s3cret@127.0.0.1:${closedPort}/x` },
    })
    gw = await startGateway(
      mustConfig({
        version: 3,
        name: 'redirect-headers',
        endpoints: [
          {
            endpoint: '/post',
            method: 'POST',
            input_headers: ['Content-Type', 'Content-Language', 'Content-Location', 'X-Kept'],
            backend: [{ host: [backend.origin], url_pattern: '/moved' }],
          },
          { endpoint: '/slash', backend: [{ host: [backend.origin], url_pattern: '/slash' }] },
          { endpoint: '/secret', backend: [{ host: [backend.origin], url_pattern: '/secret' }] },
        ],
        extra_config: { router: { return_error_msg: true } },
      }),
    )
  })
  after(async () => {
    await gw?.close()
    await backend?.close()
  })

  test("reaches the Location as a GET without the body, with the body's headers (Go 1.25)", async () => {
    const res = await send(gw.url, {
      method: 'POST',
      path: '/post',
      body: '{"a":1}',
      headers: {
        'content-type': 'application/json',
        'content-language': 'en',
        'content-location': '/doc',
        'x-kept': 'yes',
      },
    })
    assert.equal(res.status, 200)
    const echo = JSON.parse(res.text) as { method: string; headers: Record<string, string>; body: string }
    assert.equal(echo.method, 'GET')
    assert.equal(echo.body, '')
    // KrakenD CE 2.13.8 sends these on: Go 1.25's makeHeadersCopier drops only the sensitive ones.
    assert.equal(echo.headers['content-language'], 'en')
    assert.equal(echo.headers['content-location'], '/doc')
    assert.equal(echo.headers['content-type'], 'application/json')
    assert.equal(echo.headers['content-length'], undefined)
    assert.equal(echo.headers['x-kept'], 'yes')
  })

  test('a Location with backslashes: a path on the same backend, as Go escapes it', async () => {
    const res = await send(gw.url, { path: '/slash' })
    assert.equal(res.status, 200)
    const echo = JSON.parse(res.text) as { url: string; headers: Record<string, string> }
    assert.equal(echo.url, '/echo/%5C%5Cevil.example/x')
    assert.equal(echo.headers.host, new URL(backend.origin).host)
    assert.equal(echo.headers.referer, `${backend.origin}/slash`)
  })

  test("a hop that fails names that hop's URL with its password as `***` (Go's stripPassword)", async () => {
    const res = await send(gw.url, { path: '/secret' })
    assert.equal(res.status, 500)
    assert.equal(
      res.text,
      `Get "http://user:***@127.0.0.1:${closedPort}/x": dial tcp 127.0.0.1:${closedPort}: connect: connection refused`,
    )
  })
})
