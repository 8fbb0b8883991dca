import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import {
  mustConfig,
  type Running,
  rawRequest,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from '../helpers.ts'

// krakend-cors v2.2.1 over rs/cors v1.11.1: expose_headers through Go's CanonicalHeaderKey (a name
// with a byte outside the token set stays as written) and written as Go writes headers (UTF-8);
// max_age by time.ParseDuration, int(Seconds()), a negative one sent as 0; allow_headers lowered
// and compared with the request's bytes.
let backend: TestBackend
const gateways: Record<string, Running> = {}

const start = async (name: string, cors: Record<string, unknown>) => {
  gateways[name] = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { 'security/cors': cors },
      endpoints: [{ endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
    }),
  )
}

before(async () => {
  backend = await startBackend('api')
  await start('expose', { expose_headers: ['a b', 'x-\u00e9', 'x_under', 'x-total '] })
  await start('negative', { max_age: '-1s', allow_headers: ['X-\u00c9'] })
  await start('underOne', { max_age: '-0.9s' })
})
after(async () => {
  for (const g of Object.values(gateways)) await g.close()
  await backend?.close()
})

const preflight = (name: string, requested: string) =>
  sendRaw(
    (gateways[name] as Running).url,
    Buffer.from(
      rawRequest([
        'OPTIONS /a HTTP/1.1',
        'Host: gw.example',
        'Origin: https://app.example',
        'Access-Control-Request-Method: GET',
        `Access-Control-Request-Headers: ${requested}`,
      ]),
      'latin1',
    ),
  )

describe('security/cors: configured values as rs/cors reads and writes them', () => {
  test('expose_headers: canonical names for tokens, others as written, UTF-8 bytes, trimmed', async () => {
    const res = await sendRaw(
      (gateways.expose as Running).url,
      rawRequest(['GET /a HTTP/1.1', 'Host: gw.example', 'Origin: https://app.example']),
    )
    assert.match(res.head, /\r\nAccess-Control-Expose-Headers: a b, x-\u00c3\u00a9, X_under, x-total\r\n/)
  })

  test('a negative max_age is sent as 0; one that truncates to 0 sends none', async () => {
    assert.match((await preflight('negative', 'x-\u00c3\u00a9')).head, /\r\nAccess-Control-Max-Age: 0\r\n/)
    const res = await preflight('underOne', 'x-a')
    assert.equal(res.status, 204)
    assert.doesNotMatch(res.head, /Access-Control-Max-Age/)
  })

  test('a non-ASCII allowed header matches the UTF-8 bytes of its lower case', async () => {
    const res = await preflight('negative', 'x-\u00c3\u00a9')
    assert.match(res.head, /\r\nAccess-Control-Allow-Headers: x-\u00c3\u00a9\r\n/)
    assert.doesNotMatch((await preflight('negative', 'x-\u00e9')).head, /Access-Control-Allow-Origin/)
  })

  test('a max_age Go cannot read is ignored with a warning, as KrakenD ignores it', () => {
    const result = validateGatewayConfig({
      version: 3,
      extra_config: { 'security/cors': { max_age: '1e3s' } },
      endpoints: [],
    })
    assert.deepEqual(result.errors, [])
    assert.deepEqual(
      result.warnings.map((w) => w.location?.path).filter((p) => p?.startsWith('extra_config')),
      ['extra_config.security/cors.max_age'],
    )
  })
})
