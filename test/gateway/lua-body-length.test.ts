// A body a modifier/lua-proxy or modifier/lua-endpoint script changed, where lura kept the client's
// Content-Length (input_headers): lura gives Go's request that length and Go's client refuses a body
// of any other (`http: ContentLength=7 with Body length 8`), so the backend is never called. Found by
// the differential fuzz of the Lua modifiers against KrakenD CE.
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { describe, test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'
import { rawRequest } from './helpers.ts'

const grow = "local r = request.load()\nr:body(r:body() .. 'x')"

describe('a Lua script changing the body lura sized from the client', () => {
  const gateway = rawGatewayWith((raw) => {
    const host = [raw.origin]
    const endpoint = (path: string, extra: Record<string, unknown>, backends = ['/b']) => ({
      endpoint: path,
      method: 'POST',
      input_headers: ['*'],
      extra_config: extra,
      backend: backends.map((url_pattern, i) => ({ host, url_pattern, group: `g${i}` })),
    })
    return {
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        endpoint('/proxy-grow', { 'modifier/lua-proxy': { pre: grow } }),
        endpoint('/proxy-shrink', { 'modifier/lua-proxy': { pre: "request.load():body('{}')" } }),
        endpoint('/proxy-same', { 'modifier/lua-proxy': { pre: 'request.load():body(\'{"b":2}\')' } }),
        endpoint('/proxy-resized', {
          'modifier/lua-proxy': { pre: `${grow}\nr:headers('Content-Length', '8')` },
        }),
        endpoint('/proxy-two', { 'modifier/lua-proxy': { pre: grow } }, ['/b0', '/b1']),
        endpoint('/router-grow', {
          'modifier/lua-endpoint': { pre: "local r = ctx.load()\nr:body(r:body() .. 'x')" },
        }),
        {
          endpoint: '/unforwarded',
          method: 'POST',
          extra_config: { 'modifier/lua-proxy': { pre: grow } },
          backend: [{ host, url_pattern: '/b' }],
        },
      ],
    }
  })

  const call = async (lines: string[], body = ''): Promise<string> => {
    const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1')
    socket.write(`${rawRequest([...lines, 'Host: gw.example'])}${body}`)
    const chunks: Buffer[] = []
    for await (const chunk of socket) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('latin1')
  }
  const sized = (path: string, body: string) =>
    call([`POST ${path} HTTP/1.1`, 'Content-Type: application/json', `Content-Length: ${body.length}`], body)

  for (const [path, declared, actual] of [
    ['/proxy-grow', 7, 8],
    ['/proxy-shrink', 7, 2],
    ['/router-grow', 7, 8],
  ] as const)
    test(`${path}: a body of ${actual} bytes after the client's Content-Length: ${declared} fails the call unsent`, async () => {
      const before = gateway.raw.requests.length
      const answer = await sized(path, '{"a":1}')
      assert.match(answer, /^HTTP\/1\.1 500 /)
      assert.ok(
        answer.endsWith(
          `Post "${gateway.raw.origin}/b": http: ContentLength=${declared} with Body length ${actual}`,
        ),
        answer,
      )
      assert.equal(gateway.raw.requests.length, before)
    })

  test('every backend fails the same way', async () => {
    const before = gateway.raw.requests.length
    const answer = await sized('/proxy-two', '{"a":1}')
    assert.match(answer, /^HTTP\/1\.1 500 /)
    for (const path of ['/b0', '/b1'])
      assert.ok(
        answer.includes(`Post "${gateway.raw.origin}${path}": http: ContentLength=7 with Body length 8`),
        answer,
      )
    assert.equal(gateway.raw.requests.length, before)
  })

  test('a body of the same length, or one the script sized with its Content-Length, goes out sized', async () => {
    await sized('/proxy-same', '{"a":1}')
    assert.deepEqual(gateway.raw.lines('content-length'), ['Content-Length: 7'])
    assert.ok(gateway.raw.requests.at(-1)?.endsWith('\r\n\r\n{"b":2}'))
    await sized('/proxy-resized', '{"a":1}')
    assert.deepEqual(gateway.raw.lines('content-length'), ['Content-Length: 8'])
    assert.ok(gateway.raw.requests.at(-1)?.endsWith('\r\n\r\n{"a":1}x'))
  })

  test('a chunked client body, or a Content-Length the endpoint does not forward, goes out chunked', async () => {
    await call(
      ['POST /proxy-grow HTTP/1.1', 'Content-Type: application/json', 'Transfer-Encoding: chunked'],
      '7\r\n{"a":1}\r\n0\r\n\r\n',
    )
    assert.deepEqual(gateway.raw.lines('transfer-encoding'), ['Transfer-Encoding: chunked'])
    assert.ok(gateway.raw.requests.at(-1)?.endsWith('\r\n\r\n8\r\n{"a":1}x\r\n0\r\n\r\n'))
    await sized('/unforwarded', '{"a":1}')
    assert.deepEqual(gateway.raw.lines('transfer-encoding'), ['Transfer-Encoding: chunked'])
    assert.ok(gateway.raw.requests.at(-1)?.endsWith('\r\n\r\n8\r\n{"a":1}x\r\n0\r\n\r\n'))
  })
})
