import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { loadGatewayConfig } from '../../src/gateway/config/load.ts'
import { type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

// KrakenD reads a YAML config with go.yaml.in/yaml/v3, which merges `<<: *anchor` into the map (its
// own keys winning, no deep merge; a sequence of anchors, the earlier winning). KrakenD 2.13.8 ran
// an endpoint whose bot detector came from `<<: *guard` and refused User-Agent BadBot (403); this
// runtime read a key named "<<" and let it through (200).

const yaml = (origin: string) => `version: 3
name: merged
x-guard: &guard
  extra_config:
    security/bot-detector:
      deny: ["BadBot"]
x-backend: &backend
  host: ["${origin}"]
  url_pattern: /ok
x-other: &other
  url_pattern: /other
  deny: ["secret"]
endpoints:
  - <<: *guard
    endpoint: /merged
    backend:
      - <<: *backend
  - <<: *guard
    endpoint: /own
    extra_config: {}
    backend:
      - <<: [*backend, *other]
`

describe('YAML merge keys', () => {
  let dir: string
  let backend: TestBackend
  let gateway: Running
  before(async () => {
    backend = await startBackend('api', { '/ok': { body: { ok: true } } })
    dir = mkdtempSync(join(tmpdir(), 'yaml-merge-'))
    const file = join(dir, 'gateway.yaml')
    writeFileSync(file, yaml(backend.origin))
    gateway = await startGateway(loadGatewayConfig(file).config)
  })
  after(async () => {
    await gateway?.close()
    await backend?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('a merged guard guards the endpoint', async () => {
    const bot = await send(gateway.url, { path: '/merged', headers: { 'user-agent': 'BadBot' } })
    assert.equal(bot.status, 403)
    assert.equal(
      (await send(gateway.url, { path: '/merged', headers: { 'user-agent': 'Good' } })).status,
      200,
    )
  })

  test("the map's own key wins over a merged one, and the first of several merged maps wins", () => {
    const config = loadGatewayConfig(join(dir, 'gateway.yaml')).config
    const own = config.endpoints.find((e) => e.endpoint === '/own')
    assert.ok(config.endpoints.find((e) => e.endpoint === '/merged')?.components?.botDetector)
    assert.equal(own?.components?.botDetector, undefined)
    assert.equal(own?.backends[0]?.urlPattern, '/ok')
    assert.deepEqual(own?.backends[0]?.deny, ['secret'])
  })
})
