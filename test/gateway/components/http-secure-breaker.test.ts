import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { compileCircuitBreaker } from '../../../src/gateway/components/circuit-breaker.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

let backend: TestBackend
let secure: Running
let redirect: Running
let breaker: Running

before(async () => {
  backend = await startBackend('api', {
    '/down': { status: 503, body: { down: true } },
    '/up': { body: { up: true } },
  })
  const host = [backend.origin]
  secure = await startGateway(
    mustConfig({
      version: 3,
      name: 'secure',
      extra_config: {
        'security/http': {
          allowed_hosts: ['api.example.com', 'localhost:8080'],
          host_proxy_headers: ['X-Forwarded-Host'],
          sts_seconds: 31536000,
          sts_include_subdomains: true,
          ssl_proxy_headers: { 'X-Forwarded-Proto': 'https' },
          frame_deny: true,
          content_type_nosniff: true,
          browser_xss_filter: true,
          content_security_policy: "default-src 'self'",
          referrer_policy: 'no-referrer',
        },
      },
      endpoints: [{ endpoint: '/x', backend: [{ host, url_pattern: '/echo' }] }],
    }),
  )
  redirect = await startGateway(
    mustConfig({
      version: 3,
      name: 'redirect',
      extra_config: { 'security/http': { ssl_redirect: true, ssl_host: 'secure.example.com' } },
      endpoints: [{ endpoint: '/x', backend: [{ host, url_pattern: '/echo' }] }],
    }),
  )
  breaker = await startGateway(
    mustConfig({
      version: 3,
      name: 'breaker',
      endpoints: [
        {
          endpoint: '/flaky',
          backend: [
            {
              host,
              url_pattern: '/down',
              extra_config: {
                'qos/circuit-breaker': {
                  interval: 60,
                  timeout: 3600,
                  max_errors: 2,
                  log_status_change: true,
                },
              },
            },
          ],
        },
      ],
    }),
  )
})
after(async () => {
  await secure?.close()
  await redirect?.close()
  await breaker?.close()
  await backend?.close()
})

describe('security/http', () => {
  test('a host outside allowed_hosts gets 500 "Bad Host" and never reaches a backend', async () => {
    const seen = backend.seen.length
    const res = await send(secure.url, { path: '/x', headers: { host: 'evil.example.com' } })
    assert.equal(res.status, 500)
    assert.equal(res.text, 'Bad Host\n')
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
    assert.equal(backend.seen.length, seen)
    const health = await send(secure.url, { path: '/__health', headers: { host: '10.0.0.7:8080' } })
    assert.equal(health.status, 200, 'gin registers /__health before the middleware')
    assert.equal(health.headers['x-frame-options'], undefined)
  })

  test('an allowed host (also through host_proxy_headers) gets the security headers; HSTS only over https', async () => {
    const plain = await send(secure.url, { path: '/x', headers: { host: 'API.example.com' } })
    assert.equal(plain.status, 200)
    assert.equal(plain.headers['x-frame-options'], 'DENY')
    assert.equal(plain.headers['x-content-type-options'], 'nosniff')
    assert.equal(plain.headers['x-xss-protection'], '1; mode=block')
    assert.equal(plain.headers['content-security-policy'], "default-src 'self'")
    assert.equal(plain.headers['referrer-policy'], 'no-referrer')
    assert.equal(plain.headers['strict-transport-security'], undefined)
    const tls = await send(secure.url, {
      path: '/x',
      headers: { host: 'internal', 'x-forwarded-host': 'api.example.com', 'x-forwarded-proto': 'https' },
    })
    assert.equal(tls.status, 200)
    assert.equal(tls.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains')
    const unmatched = await send(secure.url, { path: '/nowhere', headers: { host: 'api.example.com' } })
    assert.equal(unmatched.status, 404)
    assert.equal(unmatched.headers['x-frame-options'], 'DENY', 'the engine middleware covers every route')
  })

  test('ssl_redirect: plain HTTP is sent to https://ssl_host with 301', async () => {
    const res = await send(redirect.url, { path: '/x?a=1' })
    assert.equal(res.status, 301)
    assert.equal(res.headers.location, 'https://secure.example.com/x?a=1')
    assert.equal(res.text, '<a href="https://secure.example.com/x?a=1">Moved Permanently</a>.\n\n')
    assert.equal(
      (await send(redirect.url, { path: '/__health' })).status,
      200,
      'the health gate probes plain HTTP',
    )
  })
})

describe('qos/circuit-breaker', () => {
  test('opens after more than max_errors consecutive failures; then the backend is not called', async () => {
    const seen = backend.seen.length
    const statuses: number[] = []
    for (let i = 0; i < 5; i += 1) statuses.push((await send(breaker.url, { path: '/flaky' })).status)
    assert.deepEqual(statuses, [500, 500, 500, 500, 500])
    assert.equal(backend.seen.length, seen + 3, 'max_errors 2: the third failure opens the circuit')
  })

  test('state machine: open for timeout, one half-open trial, success closes, failure reopens', () => {
    let clock = 0
    const logs: string[] = []
    const cb = compileCircuitBreaker(
      { name: 'b', intervalS: 0, timeoutS: 10, maxErrors: 1, logChanges: true },
      (m) => logs.push(m),
      () => clock,
    )
    const call = (ok: boolean) => {
      const refused = cb.before()
      if (refused) return refused
      cb.after(ok)
      return 'called'
    }
    assert.equal(call(false), 'called')
    assert.equal(call(true), 'called', 'a success resets the consecutive failures')
    assert.equal(call(false), 'called')
    assert.equal(call(false), 'called')
    assert.equal(call(true), 'circuit breaker is open')
    clock = 10_000
    assert.equal(cb.before(), undefined, 'half-open: one trial')
    assert.equal(cb.before(), 'too many requests')
    cb.after(false)
    assert.equal(call(true), 'circuit breaker is open')
    clock = 20_000
    assert.equal(call(true), 'called')
    assert.equal(call(false), 'called', 'closed again')
    assert.deepEqual(logs, [
      "[CB] Circuit breaker named 'b' went from 'closed' to 'open'",
      "[CB] Circuit breaker named 'b' went from 'open' to 'half-open'",
      "[CB] Circuit breaker named 'b' went from 'half-open' to 'open'",
      "[CB] Circuit breaker named 'b' went from 'open' to 'half-open'",
      "[CB] Circuit breaker named 'b' went from 'half-open' to 'closed'",
    ])
  })
})
