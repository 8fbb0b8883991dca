// A modifier/lua-proxy post script's response headers are added after the ones security/http and
// CORS set: lura Adds a response's metadata headers to gin's writer (c.Writer.Header().Add), so a
// script's X-Frame-Options or Content-Security-Policy goes beside the gateway's, never in its place.
// KrakenD CE 2.13.8 answers /lua below with DENY and LUA, both policies, Vary: Origin and X-L.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  mustConfig,
  type Running,
  rawRequest,
  sendH2,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from '../helpers.ts'

let backend: TestBackend
let gateway: Running

const POST = [
  'local r = response.load()',
  "r:headers('X-Frame-Options', 'LUA')",
  "r:headers('Content-Security-Policy', 'lua-csp')",
  "r:headers('Vary', 'X-L')",
  "r:headers('Content-Type', 'text/lua')",
].join('\n')

before(async () => {
  backend = await startBackend('api', { '/obj': { body: { a: 1 } } })
  gateway = await startGateway(
    mustConfig({
      version: 3,
      use_h2c: true,
      extra_config: {
        'security/cors': { allow_origins: ['https://a.example'] },
        'security/http': { frame_deny: true, content_security_policy: "default-src 'self'" },
      },
      endpoints: [
        {
          endpoint: '/lua',
          extra_config: { 'modifier/lua-proxy': { post: POST } },
          backend: [{ host: [backend.origin], url_pattern: '/obj' }],
        },
      ],
    }),
  )
})
after(async () => {
  await gateway?.close()
  await backend?.close()
})

test("a script's response headers go after security/http's and CORS', not in their place", async () => {
  const { status, head } = await sendRaw(gateway.url, rawRequest(['GET /lua HTTP/1.1', 'Host: x']))
  assert.equal(status, 200)
  const lines = (name: string) =>
    head
      .split('\r\n')
      .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
      .map((l) => l.slice(name.length + 1).trim())
  assert.deepEqual(lines('X-Frame-Options'), ['DENY', 'LUA'])
  assert.deepEqual(lines('Content-Security-Policy'), ["default-src 'self'", 'lua-csp'])
  assert.deepEqual(lines('Vary'), ['Origin', 'X-L'])
  // lura's render sets the type: the script's one replaces it (there is no preset one).
  assert.deepEqual(lines('Content-Type'), ['text/lua'])
})

test('over h2c too', async () => {
  const res = await sendH2(gateway.url, { path: '/lua' })
  assert.equal(res.status, 200)
  assert.equal(res.headers['x-frame-options'], 'DENY, LUA')
})
