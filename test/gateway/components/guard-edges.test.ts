import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
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
