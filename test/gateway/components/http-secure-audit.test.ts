import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
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

// unrolled/secure v1.15.0 as krakend-httpsecure v2.2.1 configures it.
let backend: TestBackend
let regex: Running
let plain: Running

before(async () => {
  backend = await startBackend('api')
  const endpoints = [{ endpoint: '/x', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }]
  regex = await startGateway(
    mustConfig({
      version: 3,
      name: 'secure-regex',
      extra_config: {
        'security/http': {
          allowed_hosts: ['api\\.example\\.com|www\\.example\\.com', '.*\\.tenant\\.example'],
          allowed_hosts_are_regex: true,
          host_proxy_headers: ['X-Forwarded-Host'],
        },
      },
      endpoints,
    }),
  )
  plain = await startGateway(
    mustConfig({
      version: 3,
      name: 'secure-plain',
      extra_config: {
        'security/http': {
          allowed_hosts: ['api.example.com'],
          frame_deny: true,
          content_security_policy: 'script-src $NONCE',
        },
      },
      endpoints,
    }),
  )
})
after(async () => {
  await regex?.close()
  await plain?.close()
  await backend?.close()
})

/** A request with repeated header lines (they carry their own Host). */
const raw = (url: string, lines: string[]) => sendRaw(url, rawRequest(lines))

const host = async (gw: Running, value: string) =>
  (await send(gw.url, { path: '/x', headers: { host: value } })).status

describe('security/http: allowed_hosts_are_regex', () => {
  test('each expression is wrapped as Go does, "^" + expr + "$": no partial match', async () => {
    assert.equal(await host(regex, 'api.example.com'), 200)
    assert.equal(await host(regex, 'a.tenant.example'), 200)
    assert.equal(await host(regex, 'evil-api.example.com'), 500)
    assert.equal(await host(regex, 'x.tenant.example.evil.net'), 500)
    // "^api\.example\.com|www\.example\.com$": the first branch is anchored at the start only.
    assert.equal(await host(regex, 'api.example.com.evil.net'), 200)
    assert.equal(await host(regex, 'evil.www.example.com'), 200)
  })

  test('host_proxy_headers: the first X-Forwarded-Host line, as Go Header.Get', async () => {
    const res = await raw(regex.url, [
      'GET /x HTTP/1.1',
      'Host: api.example.com',
      'X-Forwarded-Host: evil.com',
      'X-Forwarded-Host: a.tenant.example',
    ])
    assert.equal(res.status, 500)
    const ok = await raw(regex.url, [
      'GET /x HTTP/1.1',
      'Host: evil.com',
      'X-Forwarded-Host: a.tenant.example',
      'X-Forwarded-Host: evil.com',
    ])
    assert.equal(ok.status, 200)
  })

  test('an expression Go cannot compile (KrakenD panics at startup) is a config error', () => {
    const result = validateGatewayConfig({
      version: 3,
      extra_config: { 'security/http': { allowed_hosts: ['(?=a)b'], allowed_hosts_are_regex: true } },
      endpoints: [],
    })
    assert.deepEqual(
      result.errors.map((e) => e.location?.path),
      ['extra_config.security/http.allowed_hosts[0]'],
    )
  })

  test('Go syntax is read by a Go-compatible engine: (?U) is accepted, a class Go lacks is not', () => {
    const result = validateGatewayConfig({
      version: 3,
      extra_config: {
        'security/http': {
          allowed_hosts: ['(?U)[a-z]+\\.example\\.com', '\\p{Alphabetic}+\\.example'],
          allowed_hosts_are_regex: true,
        },
      },
      endpoints: [],
    })
    assert.deepEqual(
      result.errors.map((e) => e.location?.path),
      ['extra_config.security/http.allowed_hosts[1]'],
    )
  })
})

describe('security/http: the health endpoint and the CSP nonce', () => {
  test('GET /__health is registered before the middleware: no host check and no headers', async () => {
    const health = await send(plain.url, { path: '/__health', headers: { host: '10.0.0.7:8080' } })
    assert.equal(health.status, 200)
    assert.equal(health.headers['x-frame-options'], undefined)
    assert.equal(health.headers['content-security-policy'], undefined)
    const post = await send(plain.url, {
      method: 'POST',
      path: '/__health',
      headers: { host: '10.0.0.7:8080' },
    })
    assert.equal(post.status, 500, 'other methods go through gin 405 handlers, which have the middleware')
    assert.equal(post.text, 'Bad Host\n')
  })

  test('gin routes the decoded path: an escaped /__heal%74h is the health route too, /__health%3Fx is not', async () => {
    const escaped = await send(plain.url, { path: '/%5F_heal%74h?x=1', headers: { host: '10.0.0.7:8080' } })
    assert.equal(escaped.status, 200)
    const other = await send(plain.url, { path: '/__health%3Fx', headers: { host: '10.0.0.7:8080' } })
    assert.equal(other.status, 500)
  })

  test('$NONCE in content_security_policy becomes a fresh nonce per request', async () => {
    const csp = async () =>
      (await send(plain.url, { path: '/x', headers: { host: 'api.example.com' } })).headers[
        'content-security-policy'
      ] as string
    const first = await csp()
    const second = await csp()
    assert.match(first, /^script-src 'nonce-[A-Za-z0-9+/]{22}'$/)
    assert.notEqual(first, second)
  })
})

describe('security/http runs as gin middleware, CORS around the server (checked against KrakenD CE 2.13.8)', () => {
  test("gin's redirects come before the middleware: no SSL redirect, no security headers; CORS still varies", async () => {
    const gw = await startGateway(
      mustConfig({
        version: 3,
        name: 'secure-order',
        extra_config: {
          'security/cors': { allow_origins: ['*'] },
          'security/http': { ssl_redirect: true, ssl_host: 'secure.example', frame_deny: true },
        },
        endpoints: [{ endpoint: '/open', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
      }),
    )
    after(() => gw.close())
    const slash = await send(gw.url, { path: '/open/' })
    assert.equal(slash.status, 301)
    assert.equal(slash.headers.location, '/open', 'the trailing-slash redirect, not the SSL one')
    assert.equal(slash.headers['x-frame-options'], undefined)
    assert.equal(slash.headers.vary, 'Origin', 'CORS wraps the whole server')
    const plainHttp = await send(gw.url, { path: '/open' })
    assert.equal(plainHttp.status, 301)
    assert.equal(
      plainHttp.headers.location,
      'https://secure.example/open',
      'a routed request meets the middleware',
    )
  })

  test('on a path only other methods have, a middleware answer carries the Allow gin set before it', async () => {
    const post = await send(plain.url, { method: 'POST', path: '/x', headers: { host: '10.0.0.7:8080' } })
    assert.equal(post.status, 500)
    assert.equal(post.text, 'Bad Host\n')
    assert.equal(post.headers.allow, 'GET')
  })
})
