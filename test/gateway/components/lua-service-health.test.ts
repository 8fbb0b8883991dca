import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  mustConfig,
  type Running,
  rawRequest,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from '../helpers.ts'

// gin registers the health route (GET, routed on the decoded path) before the service-level Lua
// middleware; KrakenD answers HEAD there 405 after its middlewares, so the script runs on it.
let backend: TestBackend
let gw: Running

before(async () => {
  backend = await startBackend('api')
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { 'modifier/lua-endpoint': { pre: 'error("boom")' } },
      endpoints: [{ endpoint: '/x', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const statusOf = async (method: string, target: string) =>
  (await sendRaw(gw.url, rawRequest([`${method} ${target} HTTP/1.1`, 'Host: gw.example']))).status

describe('modifier/lua-endpoint (service level) and the health route', () => {
  test('GET on the health path, escaped or not, is the health answer without the script', async () => {
    for (const target of ['/__health', '/__health?x=1', '/__heal%74h', '/%5f%5fhealth?x=1'])
      assert.equal(await statusOf('GET', target), 200, target)
    assert.equal(await statusOf('GET', '/__health%3Fx'), 500, 'the path is /__health?x: the script runs')
  })

  test('HEAD on the health path runs the script first, as KrakenD runs its middlewares before its 405', async () => {
    assert.equal(await statusOf('HEAD', '/__health'), 500)
    assert.equal(await statusOf('GET', '/x'), 500)
  })
})
