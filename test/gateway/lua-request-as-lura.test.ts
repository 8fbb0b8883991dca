// What a Lua script's changes to the request do to the backend call, as lura and Go's client make
// it (found by the differential fuzz of the Lua modifiers against KrakenD CE): lua-backend runs below
// lura's load balancer, which already built the URL; lura names gin's params with their first
// letter upper-cased; a body the script touched is a reader of unknown size to Go's transport.
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { describe, test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'
import { rawRequest } from './helpers.ts'

const backendScript = (pre: string) => ({ 'modifier/lua-backend': { pre } })

describe('a Lua script changing the request, as KrakenD sends it on', () => {
  const gateway = rawGatewayWith((raw) => {
    const host = [raw.origin]
    const endpoint = (path: string, extra: Record<string, unknown>, more: Record<string, unknown> = {}) => ({
      endpoint: `${path}/{p}`,
      method: 'PUT',
      input_headers: ['*'],
      input_query_strings: ['*'],
      ...more,
      ...(Object.keys(extra).length ? { extra_config: extra } : {}),
      backend: [{ host, url_pattern: '/b/{p}' }],
    })
    return {
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        {
          endpoint: '/built/{p}',
          input_query_strings: ['*'],
          backend: [
            {
              host,
              url_pattern: '/b/{p}',
              extra_config: backendScript(
                "local r = request.load()\nr:query('z=1')\nr:params('P', 'x')\nr:method('')",
              ),
            },
          ],
        },
        endpoint(
          '/router',
          { 'modifier/lua-endpoint': { pre: "ctx.load():params('P', 'one')" } },
          { method: 'GET' },
        ),
        endpoint(
          '/lower',
          { 'modifier/lua-proxy': { pre: "request.load():params('p', 'x')" } },
          { method: 'GET' },
        ),
        endpoint('/read', { 'modifier/lua-proxy': { pre: 'local b = request.load():body()' } }),
        {
          endpoint: '/grow/{p}',
          method: 'POST',
          input_headers: ['*'],
          backend: [
            {
              host,
              url_pattern: '/b/{p}',
              extra_config: backendScript("local r = request.load()\nr:body(r:body() .. 'x')"),
            },
          ],
        },
        {
          endpoint: '/to-get/{p}',
          method: 'POST',
          backend: [
            {
              host,
              url_pattern: '/b/{p}',
              extra_config: backendScript("local r = request.load()\nr:body('')\nr:method('GET')"),
            },
          ],
        },
        {
          endpoint: '/agent/{p}',
          backend: [
            {
              host,
              url_pattern: '/b/{p}',
              extra_config: backendScript(
                "local r = request.load()\nr:headers('User-Agent', nil)\nr:headers('X-Word', 'h\\195\\169')",
              ),
            },
          ],
        },
      ],
    }
  })

  /** The whole answer (head and body) as latin1 text. */
  const call = async (lines: string[], body = ''): Promise<string> => {
    const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1')
    socket.write(`${rawRequest([...lines, 'Host: gw.example'])}${body}`)
    const chunks: Buffer[] = []
    for await (const chunk of socket) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('latin1')
  }

  test('lua-backend: the query and params it sets reach no one (the URL is built), an empty method is GET', async () => {
    const before = gateway.raw.requests.length
    const answer = await call(['GET /built/pv?a=1 HTTP/1.1'])
    assert.match(answer, /^HTTP\/1\.1 200 /)
    assert.equal(gateway.raw.requests.length, before + 1)
    assert.match(gateway.raw.head(), /^GET \/b\/pv\?a=1 HTTP\/1\.1\r\n/)
  })

  test("lua-endpoint: a param 'P' set beside the route's 'p' is the one lura fills the url_pattern with", async () => {
    await call(['GET /router/pv HTTP/1.1'])
    assert.match(gateway.raw.head(), /^GET \/b\/one HTTP\/1\.1\r\n/)
  })

  test("lua-proxy: a param 'p' (lura's are upper-cased) fills no slot", async () => {
    await call(['GET /lower/pv HTTP/1.1'])
    assert.match(gateway.raw.head(), /^GET \/b\/pv HTTP\/1\.1\r\n/)
  })

  test('a body the script read goes out chunked after a Content-Length of 0, sized after any other', async () => {
    await call(['PUT /read/pv HTTP/1.1', 'Content-Type: application/json', 'Content-Length: 0'])
    assert.deepEqual(gateway.raw.lines('transfer-encoding'), ['Transfer-Encoding: chunked'])
    assert.ok(gateway.raw.requests.at(-1)?.endsWith('\r\n\r\n0\r\n\r\n'))
    await call(['PUT /read/pv HTTP/1.1', 'Content-Type: application/json', 'Content-Length: 7'], '{"a":1}')
    assert.deepEqual(gateway.raw.lines('content-length'), ['Content-Length: 7'])
    assert.deepEqual(gateway.raw.lines('transfer-encoding'), [])
  })

  test("a body the script changed from the forwarded Content-Length fails the call (Go's transport refuses it)", async () => {
    const before = gateway.raw.requests.length
    const answer = await call(
      ['POST /grow/pv HTTP/1.1', 'Content-Type: application/json', 'Content-Length: 7'],
      '{"a":1}',
    )
    assert.match(answer, /^HTTP\/1\.1 500 /)
    assert.ok(
      answer.endsWith(`Post "${gateway.raw.origin}/b/pv": http: ContentLength=7 with Body length 8`),
      answer,
    )
    assert.equal(gateway.raw.requests.length, before)
  })

  test('an empty body the script set goes out as none on a GET it made of a POST (Go probes it)', async () => {
    await call(['POST /to-get/pv HTTP/1.1', 'Content-Type: application/json', 'Content-Length: 2'], '{}')
    assert.match(gateway.raw.head(), /^GET \/b\/pv HTTP\/1\.1\r\n/)
    assert.deepEqual(gateway.raw.lines('transfer-encoding'), [])
    assert.deepEqual(gateway.raw.lines('content-length'), [])
  })

  test("a User-Agent the script removed is Go's own; a header value it sets goes out as its bytes", async () => {
    await call(['GET /agent/pv HTTP/1.1'])
    assert.deepEqual(gateway.raw.lines('user-agent'), ['User-Agent: Go-http-client/1.1'])
    // the script's bytes C3 A9, as the backend reads them one character per byte
    assert.deepEqual(gateway.raw.lines('x-word'), ['X-Word: h\u00c3\u00a9'])
  })
})
