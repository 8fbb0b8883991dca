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

// gin's health route is GET only: KrakenD answers HEAD /__health 405 through its middlewares, so
// the service-level guards decide on it before the HEAD answer this gateway adds.
let backend: TestBackend
let gw: Running

before(async () => {
  backend = await startBackend('api')
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: {
        'security/http': { allowed_hosts: ['gw.example'] },
        'security/bot-detector': { deny: ['evilbot'] },
      },
      endpoints: [{ endpoint: '/x', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const head = async (target: string, host: string, agent: string) =>
  (await sendRaw(gw.url, rawRequest([`HEAD ${target} HTTP/1.1`, `Host: ${host}`, `User-Agent: ${agent}`])))
    .head

describe('HEAD on the health path meets the service-level guards, as in KrakenD', () => {
  test('a Host outside allowed_hosts gets 500 Bad Host, a denied bot 403; a good client gets the HEAD answer', async () => {
    assert.match(await head('/__health', 'evil.example', 'curl/8'), /^HTTP\/1\.1 500 /)
    assert.match(await head('/__heal%74h', 'evil.example', 'curl/8'), /^HTTP\/1\.1 500 /)
    assert.match(await head('/__health', 'gw.example', 'evilbot'), /^HTTP\/1\.1 403 /)
    assert.match(await head('/__health', 'gw.example', 'curl/8'), /^HTTP\/1\.1 200 /)
  })
})
