import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
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

// unrolled/secure reads ssl_proxy_headers and host_proxy_headers with Go's Header.Get: an absent
// header reads as "", and the Host field is no header at all over HTTP/1 (Go moves it to r.Host).
// It writes its values as Go writes any header: UTF-8 bytes, CR/LF as spaces, spaces around trimmed.
let backend: TestBackend
const gateways: Record<string, Running> = {}

const start = async (name: string, secure: Record<string, unknown>) => {
  gateways[name] = await startGateway(
    mustConfig({
      version: 3,
      use_h2c: true,
      extra_config: { 'security/http': secure },
      endpoints: [{ endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
    }),
  )
}

before(async () => {
  backend = await startBackend('api')
  await start('emptyValue', {
    ssl_redirect: true,
    sts_seconds: 100,
    ssl_proxy_headers: { 'X-Forwarded-Ssl': '' },
  })
  await start('twoCases', {
    ssl_redirect: true,
    ssl_proxy_headers: { 'X-Forwarded-Proto': 'https', 'x-forwarded-proto': 'HTTPS' },
  })
  await start('hostHeader', { ssl_redirect: true, ssl_proxy_headers: { Host: 'gw.example' } })
  await start('hostProxy', {
    allowed_hosts: ['gw.example'],
    host_proxy_headers: ['Host', 'X-Forwarded-Host'],
  })
  await start('values', {
    referrer_policy: ' same-origin\t',
    content_security_policy: "default-src 'self'\nimg-src https://b\u00fccher.example ",
    custom_frame_options_value: 'ALLOW-FROM https://b\u00fccher.example',
    force_sts_header: true,
    sts_seconds: -5,
  })
  await start('nonce', { content_security_policy: ' script-src $NONCE\r\n' })
})
after(async () => {
  for (const g of Object.values(gateways)) await g.close()
  await backend?.close()
})

const get = (name: string, ...lines: string[]) =>
  sendRaw((gateways[name] as Running).url, rawRequest(['GET /a HTTP/1.1', 'Host: gw.example', ...lines]))

describe('security/http: proxy headers read as Go reads them', () => {
  test('an ssl_proxy_headers entry with an empty value matches an absent header: no redirect, HSTS sent', async () => {
    const res = await get('emptyValue')
    assert.equal(res.status, 200)
    assert.match(res.head, /\r\nStrict-Transport-Security: max-age=100\r\n/)
    assert.equal((await get('emptyValue', 'X-Forwarded-Ssl: on')).status, 301)
  })

  test('two ssl_proxy_headers keys differing only in case are two entries (a Go map): either value is SSL', async () => {
    assert.equal((await get('twoCases', 'X-Forwarded-Proto: https')).status, 200)
    assert.equal((await get('twoCases', 'X-Forwarded-Proto: HTTPS')).status, 200)
    assert.equal((await get('twoCases', 'X-Forwarded-Proto: Https')).status, 301)
  })

  test('an ssl_proxy_headers entry on Host never matches the Host field: redirected', async () => {
    const res = await get('hostHeader')
    assert.equal(res.status, 301)
    assert.match(res.head, /\r\nLocation: https:\/\/gw\.example\/a\r\n/)
  })

  test('host_proxy_headers: Host reads as empty, the next header decides', async () => {
    assert.equal((await get('hostProxy')).status, 200)
    assert.equal((await get('hostProxy', 'X-Forwarded-Host: evil.example')).status, 500)
  })
})

describe('security/http: configured header values as Go writes them', () => {
  test('spaces around trimmed, a newline as a space, UTF-8 bytes, a negative sts_seconds as it is', async () => {
    const res = await get('values')
    assert.match(res.head, /\r\nReferrer-Policy: same-origin\r\n/)
    assert.match(
      res.head,
      /\r\nContent-Security-Policy: default-src 'self' img-src https:\/\/b\u00c3\u00bccher\.example\r\n/,
    )
    assert.match(res.head, /\r\nX-Frame-Options: ALLOW-FROM https:\/\/b\u00c3\u00bccher\.example\r\n/)
    assert.match(res.head, /\r\nStrict-Transport-Security: max-age=-5\r\n/)
  })

  test("over h2c (Go's HTTP/2 server) a value with a newline is not sent at all, the others as UTF-8", async () => {
    const res = await sendH2((gateways.values as Running).url, {
      path: '/a',
      headers: { host: 'gw.example' },
    })
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-security-policy'], undefined)
    assert.equal(res.headers['x-frame-options'], 'ALLOW-FROM https://b\u00c3\u00bccher.example')
  })

  test('a nonce policy is trimmed too', async () => {
    const res = await get('nonce')
    assert.match(res.head, /\r\nContent-Security-Policy: script-src 'nonce-[A-Za-z0-9+/]{22}'\r\n/)
  })

  test('a control character Node cannot write is refused at validation', () => {
    const result = validateGatewayConfig({
      version: 3,
      extra_config: { 'security/http': { referrer_policy: 'a\u0001b', content_security_policy: 'a\tb' } },
      endpoints: [],
    })
    assert.deepEqual(
      result.errors.map((e) => e.location?.path),
      ['extra_config.security/http.referrer_policy'],
    )
  })
})
