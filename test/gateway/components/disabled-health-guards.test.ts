import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { rawRequest, sendRaw } from '../helpers.ts'

// gin registers the health route before the service-level bot detector and security/http, so they
// skip it. With router.disable_health lura registers none: /__health is a path like any other (a
// 404 here), and both guards see it first, as for every unknown path.
const gw = gatewayWith((backend) => ({
  version: 3,
  extra_config: {
    router: { disable_health: true },
    'security/bot-detector': { deny: ['curl/8.0'] },
    'security/http': { allowed_hosts: ['good.example'], frame_deny: true },
  },
  endpoints: [{ endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
}))

const get = (path: string, host: string, ua: string) =>
  sendRaw(gw.url, rawRequest([`GET ${path} HTTP/1.1`, `Host: ${host}`, `User-Agent: ${ua}`]))

test('a bot is refused on /__health when the health endpoint is disabled', async () => {
  assert.equal((await get('/__health', 'good.example', 'curl/8.0')).status, 403)
  assert.equal((await get('/__health?x=1', 'good.example', 'curl/8.0')).status, 403)
})

test('security/http checks the host and sets its headers on /__health when the health endpoint is disabled', async () => {
  assert.equal((await get('/__health', 'bad.example', 'Mozilla')).status, 500)
  const ok = await get('/__health', 'good.example', 'Mozilla')
  assert.equal(ok.status, 404)
  assert.match(ok.head, /\r\nX-Frame-Options: DENY\r\n/i)
})
