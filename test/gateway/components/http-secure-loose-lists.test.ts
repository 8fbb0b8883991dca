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

// krakend-httpsecure reads allowed_hosts and host_proxy_headers with getStrings: the string items,
// any other item skipped. KrakenD CE 2.13.8 runs ["good.example", null, 8080] as ["good.example"]
// (checked: Host good.example 200, evil.example and 8080 500 Bad Host).
let backend: TestBackend
let gateway: Running

const secure = (settings: Record<string, unknown>) => ({
  version: 3,
  extra_config: { 'security/http': settings },
  endpoints: [{ endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
})

before(async () => {
  backend = await startBackend('api')
  gateway = await startGateway(
    mustConfig(
      secure({
        allowed_hosts: ['good.example', null, 8080, { host: 'x' }],
        host_proxy_headers: [null, 'X-Forwarded-Host', 7],
      }),
    ),
  )
})
after(async () => {
  await gateway?.close()
  await backend?.close()
})

const get = (...lines: string[]) => sendRaw(gateway.url, rawRequest(['GET /a HTTP/1.1', ...lines]))

describe('security/http: lists read as krakend-httpsecure reads them', () => {
  test('items that are not strings are skipped; the strings are enforced', async () => {
    assert.equal((await get('Host: good.example')).status, 200)
    assert.equal((await get('Host: evil.example')).status, 500)
    assert.equal((await get('Host: 8080')).status, 500)
    assert.equal((await get('Host: null')).status, 500)
    assert.equal((await get('Host: evil.example', 'X-Forwarded-Host: good.example')).status, 200)
  })

  test('each skipped item is a warning at its index', () => {
    const result = validateGatewayConfig(secure({ allowed_hosts: ['good.example', null] }))
    assert.ok(result.config)
    assert.ok(
      result.warnings.some(
        (w) =>
          w.location?.path === 'extra_config.security/http.allowed_hosts[1]' &&
          /KrakenD skips it/.test(w.message),
      ),
      JSON.stringify(result.warnings),
    )
  })

  test('allowed_hosts with items and no string (no host check in KrakenD) is refused', () => {
    const result = validateGatewayConfig(secure({ allowed_hosts: [null, 443] }))
    assert.equal(result.config, undefined)
    assert.ok(
      result.errors.some((e) =>
        /holds no string: KrakenD would skip every item and check no host/.test(e.message),
      ),
      JSON.stringify(result.errors),
    )
  })
})
