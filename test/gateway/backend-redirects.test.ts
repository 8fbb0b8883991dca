// The headers of a backend call's redirect hops, as Go's http.Client (net/http client.go,
// makeHeadersCopier) writes them: credentials only to the first request's host or its subdomains,
// the body's headers dropped with the body (301/302/303), kept on a 307/308 that sends it again.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { BackendRequest, Hop, HopRequest } from '../../src/gateway/backend-client.ts'
import { followRedirects } from '../../src/gateway/backend-redirects.ts'
import type { Agent } from '../../src/gateway/undici.ts'
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
  const headers = { ...CREDENTIALS, ...BODY, 'x-kept': 'yes' }
  const req = { origin: 'http://a.example:8080', headers, replaysBody: true } as unknown as BackendRequest
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
    { url: 'http://a.example:8080/first' },
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

  test("a 302 drops the body and the body's headers; a 307 keeps both", async () => {
    const dropped = await nextHopHeaders(302, '/next')
    for (const name of Object.keys(BODY)) assert.equal(dropped[name], undefined, name)
    assert.equal(dropped.authorization, CREDENTIALS.authorization)
    const kept = await nextHopHeaders(307, '/next')
    for (const [name, value] of Object.entries(BODY)) assert.equal(kept[name], value, name)
  })
})

describe('a POST whose backend answers 302, through the gateway', () => {
  let backend: TestBackend
  let gw: Running
  before(async () => {
    backend = await startBackend('api', { '/moved': { status: 302, location: '/echo/after' } })
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
        ],
      }),
    )
  })
  after(async () => {
    await gw?.close()
    await backend?.close()
  })

  test('reaches the Location as a GET without the body or its headers', async () => {
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
    assert.equal(echo.headers['content-language'], undefined)
    assert.equal(echo.headers['content-location'], undefined)
    assert.equal(echo.headers['content-type'], undefined)
    assert.equal(echo.headers['x-kept'], 'yes')
  })
})
