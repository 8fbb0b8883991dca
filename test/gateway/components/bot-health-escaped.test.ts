import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  mustConfig,
  type Running,
  rawRequest,
  send,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from '../helpers.ts'

// gin registers the health route before the service-level bot detector and routes URL.Path, the
// decoded path: an escaped `/__heal%74h` is the health route, answered without the detector.
let backend: TestBackend
let gw: Running

before(async () => {
  backend = await startBackend('api')
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { 'security/bot-detector': { deny: ['evilbot'] } },
      endpoints: [{ endpoint: '/x', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const statusOf = async (method: string, target: string) =>
  (
    await sendRaw(
      gw.url,
      rawRequest([`${method} ${target} HTTP/1.1`, 'Host: gw.example', 'User-Agent: evilbot']),
    )
  ).status

describe('security/bot-detector (service level): the health route by its decoded path', () => {
  test('GET /__heal%74h, /%5f%5fhealth?x=1 and /__heal%74%68 are the health answer for a denied bot; other paths and methods are not', async () => {
    for (const target of ['/__heal%74h', '/%5f%5fhealth?x=1', '/__heal%74%68'])
      assert.equal(await statusOf('GET', target), 200, target)
    assert.equal(await statusOf('GET', '/__health%3Fx'), 403, 'the path is /__health?x')
    assert.equal(await statusOf('GET', '/__heal%2574h'), 403, 'the path is /__heal%74h')
    assert.equal(await statusOf('POST', '/__heal%74h'), 403, "gin's 405 handlers run the middleware")
    assert.equal(await statusOf('GET', '/x'), 403)
  })

  test('over h2c too: the health body for /__heal%74h, 403 for /__health%3Fx', async () => {
    const h2 = (path: string) => send(gw.url, { path, headers: { 'user-agent': 'evilbot' }, http2: true })
    const res = await h2('/__heal%74h')
    assert.equal(res.status, 200)
    assert.equal(JSON.parse(res.text).status, 'ok')
    assert.equal((await h2('/__health%3Fx')).status, 403)
  })
})
