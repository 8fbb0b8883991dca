import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, sendH2, startBackend, startGateway, type TestBackend } from '../helpers.ts'

// Requests KrakenD CE refuses that reach past a guard unless the runtime reads them as Go does.

describe('security/http over h2c: the host checked is Go’s r.Host', () => {
  let backend: TestBackend
  let gateway: Running
  before(async () => {
    backend = await startBackend('api')
    gateway = await startGateway(
      mustConfig({
        version: 3,
        extra_config: {
          router: { use_h2c: true },
          'security/http': { allowed_hosts: ['good.example'] },
        },
        endpoints: [{ endpoint: '/x', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
      }),
    )
  })
  after(async () => {
    await gateway?.close()
    await backend?.close()
  })

  test('a Host field does not stand in for a bad :authority (Go’s h2 server reads :authority first)', async () => {
    const before = backend.seen.length
    const bad = await sendH2(gateway.url, {
      path: '/x',
      headers: { ':authority': 'evil.example', host: 'good.example' },
    })
    assert.equal(bad.status, 500)
    assert.equal(bad.text, 'Bad Host\n')
    assert.equal(backend.seen.length, before, 'the backend is not called')
    const good = await sendH2(gateway.url, {
      path: '/x',
      headers: { ':authority': 'good.example', host: 'evil.example' },
    })
    assert.equal(good.status, 200)
    assert.equal(backend.seen.length, before + 1)
  })
})

describe('auth/validator: a scope requirement KrakenD would not check is refused', () => {
  const problems = (validator: Record<string, unknown>) =>
    validateGatewayConfig({
      version: 3,
      name: 'x',
      endpoints: [
        {
          endpoint: '/a',
          extra_config: { 'auth/validator': { alg: 'RS256', jwk_url: 'https://idp/jwks', ...validator } },
          backend: [{ host: ['http://127.0.0.1:9'], url_pattern: '/a' }],
        },
      ],
    }).errors.map((e) => `${e.location?.path}: ${e.message}`)

  test('"scopes" without a "scopes_key" (krakend-jose then checks no scope at all) is an error at its path', () => {
    for (const validator of [{ scopes: ['admin'] }, { scopes: ['admin'], scopes_key: '' }])
      assert.deepEqual(
        problems(validator),
        [
          'endpoints[0].extra_config.auth/validator.scopes_key: "scopes" needs a "scopes_key" (the claim that holds the token\'s scopes)',
        ],
        JSON.stringify(validator),
      )
    assert.deepEqual(problems({ scopes: ['admin'], scopes_key: 'scope' }), [])
    assert.deepEqual(problems({ scopes: [] }), [], 'no scope required: nothing to check')
  })
})
