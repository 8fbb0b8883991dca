import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { base64url, SignJWT } from 'jose'
import { celNow } from '../../../src/gateway/components/cel.ts'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

let backend: TestBackend
let jwks: Server
let gw: Running
let quiet: Running
const secret = new TextEncoder().encode('cel-test-secret-with-32-bytes-at-least')

const celConfig = (returnErrorMsg: boolean, host: string[], jwkUrl: string) =>
  mustConfig({
    version: 3,
    name: 'cel',
    extra_config: { router: { return_error_msg: returnErrorMsg } },
    endpoints: [
      {
        endpoint: '/cel/req-resp/{id}',
        input_headers: ['X-Header'],
        extra_config: {
          'validation/cel': [
            { check_expr: "'something' in req_headers['X-Header']" },
            { check_expr: 'int(req_params.Id) % 2 == 0' },
          ],
        },
        backend: [
          {
            host,
            url_pattern: '/echo/1/{id}',
            group: 'backend1',
            extra_config: { 'validation/cel': [{ check_expr: 'int(req_params.Id) % 3 == 0' }] },
          },
          {
            host,
            url_pattern: '/echo/2/{id}',
            group: 'backend2',
            extra_config: { 'validation/cel': [{ check_expr: 'int(req_params.Id) % 5 == 0' }] },
          },
        ],
      },
      {
        endpoint: '/cel/resp',
        extra_config: { 'validation/cel': [{ check_expr: "resp_data.status == 'ok' && resp_completed" }] },
        backend: [{ host, url_pattern: '/state' }],
      },
      {
        endpoint: '/cel/backend-resp',
        backend: [
          {
            host,
            url_pattern: '/state',
            group: 'a',
            extra_config: { 'validation/cel': [{ check_expr: 'resp_data.count > 5' }] },
          },
          { host, url_pattern: '/echo/b', group: 'b' },
        ],
      },
      {
        endpoint: '/cel/number-text',
        extra_config: {
          'validation/cel': [{ check_expr: "resp_data.count == '3' && resp_data.nested.list[0] == '1.50'" }],
        },
        backend: [{ host, url_pattern: '/numbers' }],
      },
      {
        endpoint: '/cel/number-compare',
        extra_config: { 'validation/cel': [{ check_expr: 'resp_data.count < 5' }] },
        backend: [{ host, url_pattern: '/numbers' }],
      },
      {
        endpoint: '/cel/static-double',
        extra_config: {
          'validation/cel': [{ check_expr: "resp_data.limit == 2.0 && resp_data.count == '3'" }],
          proxy: { static: { strategy: 'always', data: { limit: 2 } } },
        },
        backend: [{ host, url_pattern: '/numbers' }],
      },
      {
        endpoint: '/cel/backend-number',
        backend: [
          {
            host,
            url_pattern: '/numbers',
            group: 'text',
            // a backend check sees its answer after `group`
            extra_config: { 'validation/cel': [{ check_expr: 'type(resp_data.text.count) == string' }] },
          },
          {
            host,
            url_pattern: '/numbers',
            group: 'double',
            extra_config: { 'validation/cel': [{ check_expr: 'resp_data.double.count == 3' }] },
          },
        ],
      },
      {
        endpoint: '/cel/jwt',
        extra_config: {
          'validation/cel': [{ check_expr: 'size(JWT.roles) > 1' }],
          'auth/validator': { alg: 'HS256', jwk_url: jwkUrl, disable_jwk_security: true, cache: true },
        },
        backend: [{ host, url_pattern: '/echo/jwt' }],
      },
    ],
  })

before(async () => {
  backend = await startBackend('api', {
    '/state': { body: { status: 'ok', count: 3 } },
    '/numbers': { raw: '{"count":3,"nested":{"list":[1.50,2]}}' },
  })
  jwks = createServer((_req, res) =>
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: [{ kty: 'oct', kid: 'k', alg: 'HS256', k: base64url.encode(secret) }] })),
  )
  jwks.listen(0, '127.0.0.1')
  await new Promise((resolve) => jwks.once('listening', resolve))
  const jwkUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`
  gw = await startGateway(celConfig(true, [backend.origin], jwkUrl))
  quiet = await startGateway(celConfig(false, [backend.origin], jwkUrl))
})
after(async () => {
  await gw?.close()
  await quiet?.close()
  await backend?.close()
  jwks?.close()
})

const get = (path: string, headers: Record<string, string> = {}, url = gw.url) => send(url, { path, headers })

describe('validation/cel (KrakenD CE fixture semantics: cel-1 .. cel-7)', () => {
  test('an endpoint check that fails aborts with 500 and "request aborted by evaluator #N"', async () => {
    const seen = backend.seen.length
    const odd = await get('/cel/req-resp/1', { 'x-header': 'something' })
    assert.equal(odd.status, 500)
    assert.equal(odd.text, 'request aborted by evaluator #1')
    assert.equal(odd.headers['content-type'], 'text/plain; charset=utf-8')
    assert.equal(odd.headers['x-krakend-completed'], 'false')
    const noHeader = await get('/cel/req-resp/30')
    assert.equal(noHeader.text, 'request aborted by evaluator #0', 'a missing key is an evaluation error')
    assert.equal(backend.seen.length, seen, 'no backend was called')
    const silent = await get('/cel/req-resp/1', { 'x-header': 'something' }, quiet.url)
    assert.equal(silent.status, 500)
    assert.equal(silent.text, '')
  })

  test('backend checks drop only their backend: partial answers, as KrakenD', async () => {
    const ten = await get('/cel/req-resp/10', { 'x-header': 'something' })
    assert.equal(ten.status, 200)
    assert.deepEqual(Object.keys(JSON.parse(ten.text)), ['backend2'])
    assert.equal(ten.headers['x-krakend-completed'], 'false')
    const six = await get('/cel/req-resp/6', { 'x-header': 'something' })
    assert.deepEqual(Object.keys(JSON.parse(six.text)), ['backend1'])
    const thirty = await get('/cel/req-resp/30', { 'x-header': 'something' })
    assert.deepEqual(Object.keys(JSON.parse(thirty.text)).sort(), ['backend1', 'backend2'])
    assert.equal(thirty.headers['x-krakend-completed'], 'true')
  })

  test('resp_ expressions check the merged response and each backend response', async () => {
    assert.equal((await get('/cel/resp')).status, 200)
    const partial = await get('/cel/backend-resp')
    assert.equal(partial.status, 200)
    assert.deepEqual(Object.keys(JSON.parse(partial.text)), ['b'], 'count 3 is not > 5: backend a is dropped')
  })

  test('backend numbers are text, as json.Number is a string to cel-go; static data numbers are doubles', async () => {
    const text = await get('/cel/number-text')
    assert.equal(text.status, 200, "resp_data.count == '3' holds, as in KrakenD")
    const compare = await get('/cel/number-compare')
    assert.equal(compare.status, 500, 'a string compared with 5 fails to evaluate: the request is aborted')
    assert.equal(compare.text, 'request aborted by evaluator #0')
    assert.equal(compare.headers['x-krakend'], 'Version 2.13.8', 'refused inside the endpoint handler')
    assert.equal((await get('/cel/static-double')).status, 200)
    const backends = await get('/cel/backend-number')
    assert.deepEqual(
      Object.keys(JSON.parse(backends.text)),
      ['text'],
      'count == 3 is false: that backend is dropped',
    )
  })

  test('JWT expressions reject tokens with 401 (krakend-jose rejecter)', async () => {
    const sign = (roles: string[]) =>
      new SignJWT({ roles })
        .setProtectedHeader({ alg: 'HS256', kid: 'k' })
        .setExpirationTime('5m')
        .sign(secret)
    const one = await get('/cel/jwt', { authorization: `Bearer ${await sign(['a'])}` })
    assert.equal(one.status, 401)
    assert.equal(one.text, '')
    assert.equal((await get('/cel/jwt', { authorization: `Bearer ${await sign(['a', 'b'])}` })).status, 200)
  })

  test('expressions that do not parse or check, and JWT ones without a validator, are config errors', () => {
    const check = (cel: unknown, extra: Record<string, unknown> = {}) =>
      validateGatewayConfig({
        version: 3,
        endpoints: [
          {
            endpoint: '/a',
            extra_config: { 'validation/cel': cel, ...extra },
            backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }],
          },
        ],
      }).errors.map((e) => `${e.location?.path}: ${e.message}`)
    assert.match(
      check([{ check_expr: 'req_params.Id +' }]).join(),
      /validation\/cel\[0\]\.check_expr: CEL expression does not check/,
    )
    assert.match(check([{ check_expr: 'req_params.Id + 1 == 2' }]).join(), /does not check/)
    assert.match(check([{ check_expr: 'size(JWT.roles) > 1' }]).join(), /need "auth\/validator"/)
    assert.match(check({ check_expr: 'true' }).join(), /must be a list/)
  })

  test("now is Go's RFC 3339 with trimmed milliseconds (a UTC zone: Z)", () => {
    // the local zone decides the offset (cel-now-zone.test.ts): UTC here, whatever the machine's
    const zone = process.env.TZ
    process.env.TZ = 'UTC'
    try {
      assert.equal(celNow(new Date('2026-01-02T03:04:05.120Z')), '2026-01-02T03:04:05.12Z')
      assert.equal(celNow(new Date('2026-01-02T03:04:05.000Z')), '2026-01-02T03:04:05Z')
    } finally {
      if (zone === undefined) delete process.env.TZ
      else process.env.TZ = zone
    }
  })
})
