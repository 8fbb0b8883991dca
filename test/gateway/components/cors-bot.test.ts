import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

// KrakenD CE's own test config (tests/fixtures/krakend.json) for these two components.
let backend: TestBackend
let open: Running
let strict: Running

before(async () => {
  backend = await startBackend('api')
  const host = [backend.origin]
  open = await startGateway(
    mustConfig({
      version: 3,
      name: 'cors',
      extra_config: {
        'security/cors': {
          allow_origins: ['*'],
          allow_methods: ['POST', 'GET'],
          allow_headers: ['Origin', 'Authorization', 'Content-Type'],
          expose_headers: ['Content-Length'],
          max_age: '12h',
        },
        'security/bot-detector': {
          deny: ['a', 'b'],
          allow: ['c', 'Pingdom.com_bot_version_1.1'],
          patterns: ['(Pingdom.com_bot_version_).*', '(facebookexternalhit)/.*'],
        },
      },
      endpoints: [
        { endpoint: '/items/{id}', backend: [{ host, url_pattern: '/echo/{id}' }] },
        {
          endpoint: '/guarded',
          extra_config: {
            'security/bot-detector': { deny: ['curl/8'], empty_user_agent_is_bot: true, cache_size: 2 },
          },
          backend: [{ host, url_pattern: '/echo/guarded' }],
        },
      ],
    }),
  )
  strict = await startGateway(
    mustConfig({
      version: 3,
      name: 'cors-strict',
      extra_config: {
        'security/cors': {
          allow_origins: ['https://app.example', 'https://*.tenant.example'],
          allow_credentials: true,
          allow_methods: ['GET', 'PUT'],
          allow_headers: ['X-Custom', 'Content-Type'],
        },
      },
      endpoints: [{ endpoint: '/x', backend: [{ host, url_pattern: '/echo/x' }] }],
    }),
  )
})
after(async () => {
  await open?.close()
  await strict?.close()
  await backend?.close()
})

const preflight = (url: string, headers: Record<string, string>) =>
  send(url, { method: 'OPTIONS', path: '/items/1?a=1', headers: { 'user-agent': 'some', ...headers } })

describe('security/cors: preflights answered by the gateway, as krakend-cors + rs/cors', () => {
  test('an allowed preflight: 204, the requested method and headers echoed, max age, preflight Vary', async () => {
    const before = backend.seen.length
    const res = await preflight(open.url, {
      origin: 'http://foo.example',
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'content-type,origin',
    })
    assert.equal(res.status, 204)
    assert.equal(res.text, '')
    assert.equal(res.headers['access-control-allow-origin'], '*')
    assert.equal(res.headers['access-control-allow-methods'], 'GET')
    assert.equal(res.headers['access-control-allow-headers'], 'content-type,origin')
    assert.equal(res.headers['access-control-max-age'], '43200')
    assert.equal(res.headers.vary, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
    assert.equal(res.headers['content-type'], undefined)
    assert.equal(res.headers['x-krakend-completed'], undefined)
    assert.equal(backend.seen.length, before, 'a preflight never reaches a backend')
  })

  test('a method or header that is not allowed: 204 without any allow header (KrakenD specs cors_2, cors_3)', async () => {
    const cases: Array<Record<string, string>> = [
      { origin: 'http://foo.example.tld', 'access-control-request-method': 'PUT' },
      {
        origin: 'http://foo.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'X-PINGOTHER',
      },
      {
        origin: 'http://foo.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'origin,content-type',
      },
    ]
    for (const headers of cases) {
      const res = await preflight(open.url, headers)
      assert.equal(res.status, 204)
      assert.equal(res.headers['access-control-allow-origin'], undefined, JSON.stringify(headers))
      assert.equal(res.headers['access-control-allow-methods'], undefined)
    }
  })

  test('an actual request: Vary: Origin, allow origin and exposed headers on the proxied answer', async () => {
    const res = await send(open.url, {
      path: '/items/7',
      headers: { 'user-agent': 'some', origin: 'http://foo.example.tld' },
    })
    assert.equal(res.status, 200)
    assert.equal(res.headers.vary, 'Origin')
    assert.equal(res.headers['access-control-allow-origin'], '*')
    assert.equal(res.headers['access-control-expose-headers'], 'Content-Length')
    assert.equal(res.headers['x-krakend-completed'], 'true')
    const plain = await send(open.url, { path: '/items/7', headers: { 'user-agent': 'some' } })
    assert.equal(plain.headers.vary, 'Origin', 'Vary is always set')
    assert.equal(plain.headers['access-control-allow-origin'], undefined)
  })

  test('listed and wildcard origins are echoed with credentials; others get nothing', async () => {
    const ok = await send(strict.url, {
      method: 'OPTIONS',
      path: '/x',
      headers: {
        origin: 'https://a.tenant.example',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type, x-custom',
      },
    })
    assert.equal(ok.status, 204)
    assert.equal(ok.headers['access-control-allow-origin'], 'https://a.tenant.example')
    assert.equal(ok.headers['access-control-allow-credentials'], 'true')
    assert.equal(ok.headers['access-control-max-age'], undefined)
    const get = await send(strict.url, { path: '/x', headers: { origin: 'https://APP.example' } })
    assert.equal(get.headers['access-control-allow-origin'], 'https://APP.example')
    const evil = await send(strict.url, { path: '/x', headers: { origin: 'https://evil.example' } })
    assert.equal(evil.status, 200)
    assert.equal(evil.headers['access-control-allow-origin'], undefined)
    assert.equal(evil.headers['access-control-allow-credentials'], undefined)
  })

  test('OPTIONS without Access-Control-Request-Method is not a preflight: the router answers', async () => {
    const res = await send(open.url, {
      method: 'OPTIONS',
      path: '/items/1',
      headers: { origin: 'http://foo.example' },
    })
    assert.equal(res.status, 405)
  })
})

describe('security/bot-detector: 403 with no body, as krakend-botdetector', () => {
  test('service level: deny list, patterns; allow list wins; normal agents pass', async () => {
    const ua = async (agent: string) =>
      (await send(open.url, { path: '/items/1', headers: { 'user-agent': agent } })).status
    const before = backend.seen.length
    for (const bot of ['a', 'b', 'Pingdom.com_bot_version_1.14', 'facebookexternalhit/1.1']) {
      const res = await send(open.url, { path: '/items/1', headers: { 'user-agent': bot } })
      assert.equal(res.status, 403, bot)
      assert.equal(res.text, '')
      assert.equal(res.headers['content-type'], undefined)
      assert.equal(res.headers['x-krakend-completed'], undefined)
    }
    assert.equal(backend.seen.length, before, 'bots never reach a backend')
    assert.equal(await ua('c'), 200)
    assert.equal(await ua('Pingdom.com_bot_version_1.1'), 200, 'allow is checked before the patterns')
    assert.equal(await ua('Mozilla/5.0'), 200)
  })

  test('endpoint level with an LRU cache and empty_user_agent_is_bot', async () => {
    const status = async (headers: Record<string, string>) =>
      (await send(open.url, { path: '/guarded', headers })).status
    for (let i = 0; i < 3; i += 1) {
      assert.equal(await status({ 'user-agent': 'curl/8' }), 403)
      assert.equal(await status({ 'user-agent': 'ok/1' }), 200)
      assert.equal(await status({ 'user-agent': `other/${i}` }), 200)
    }
    assert.equal(await status({ 'user-agent': '' }), 403)
    assert.equal(await status({ 'user-agent': 'curl/8' }), 403, 'an evicted verdict is computed again')
  })

  test('a pattern that is not a regular expression is a config error at its JSON path', () => {
    const result = validateGatewayConfig({
      version: 3,
      extra_config: { 'security/bot-detector': { patterns: ['ok', '(unclosed'] } },
      endpoints: [],
    })
    assert.equal(result.errors[0]?.location?.path, 'extra_config.security/bot-detector.patterns[1]')
  })
})
