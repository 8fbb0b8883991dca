import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

// krakend-cors reads allow_origins, allow_methods, allow_headers and expose_headers with getList:
// the string items, any other item skipped. KrakenD CE 2.13.8 runs ["https://a.example", null, 42]
// as ["https://a.example"] (checked: a.example allowed, evil.example and 42 not), and a list left
// with no string as the default: [null, 42] allows every origin.
let backend: TestBackend
let gateway: Running

const cors = (settings: Record<string, unknown>) => ({
  version: 3,
  extra_config: { 'security/cors': settings },
  endpoints: [{ endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
})

before(async () => {
  backend = await startBackend('api')
  gateway = await startGateway(
    mustConfig(
      cors({
        allow_origins: ['https://a.example', null, 42],
        allow_methods: ['GET', null],
        allow_headers: [7, 'X-Token'],
        expose_headers: [null, 'X-Be'],
      }),
    ),
  )
})
after(async () => {
  await gateway?.close()
  await backend?.close()
})

const preflight = (origin: string, headers: string) =>
  send(gateway.url, {
    method: 'OPTIONS',
    path: '/a',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'GET',
      'Access-Control-Request-Headers': headers,
    },
  })

describe('security/cors: lists read as krakend-cors reads them', () => {
  test('items that are not strings are skipped; the strings are enforced', async () => {
    const allowed = await preflight('https://a.example', 'x-token')
    assert.equal(allowed.status, 204)
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://a.example')
    assert.equal(allowed.headers['access-control-allow-headers'], 'x-token')
    const otherHeader = await preflight('https://a.example', 'x-token,x-other')
    assert.equal(otherHeader.headers['access-control-allow-origin'], undefined)
    for (const origin of ['https://evil.example', '42', 'null']) {
      const refused = await preflight(origin, 'x-token')
      assert.equal(refused.status, 204)
      assert.equal(refused.headers['access-control-allow-origin'], undefined, origin)
    }
    const actual = await send(gateway.url, { path: '/a', headers: { Origin: 'https://a.example' } })
    assert.equal(actual.headers['access-control-expose-headers'], 'X-Be')
  })

  test('each skipped item is a warning at its index', () => {
    const result = validateGatewayConfig(cors({ allow_origins: ['https://a.example', null] }))
    assert.ok(result.config)
    assert.ok(
      result.warnings.some(
        (w) =>
          w.location?.path === 'extra_config.security/cors.allow_origins[1]' &&
          /KrakenD skips it/.test(w.message),
      ),
      JSON.stringify(result.warnings),
    )
  })

  test('a guarding list with items and no string (KrakenD falls back to its widest default) is refused', () => {
    for (const [key, does] of [
      ['allow_origins', 'allow every origin'],
      ['allow_headers', 'allow every request header'],
      ['allow_methods', 'allow its default methods'],
    ] as const) {
      const result = validateGatewayConfig(cors({ [key]: [null, 42] }))
      assert.equal(result.config, undefined, key)
      assert.ok(
        result.errors.some((e) =>
          e.message.includes(`holds no string: KrakenD would skip every item and ${does}`),
        ),
        JSON.stringify(result.errors),
      )
    }
    assert.ok(validateGatewayConfig(cors({ expose_headers: [null] })).config)
  })
})
