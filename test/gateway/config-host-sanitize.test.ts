// lura cleans every host with its hostPattern (config/uri.go) at startup and refuses one the pattern
// does not match exactly once ("invalid host"), unless the backend sets disable_host_sanitize.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'

const backendHosts = (host: string, disableHostSanitize: boolean) =>
  validateGatewayConfig({
    version: 3,
    endpoints: [
      {
        endpoint: '/a',
        backend: [
          {
            host: [host],
            url_pattern: '/b',
            ...(disableHostSanitize ? { disable_host_sanitize: true } : {}),
          },
        ],
      },
    ],
  })

test('a host KrakenD refuses at startup is refused, unless the backend disables host sanitizing', () => {
  for (const host of [
    'http://{tenant}.svc:8080',
    'http://[::1]:8080',
    'HTTP://svc:8080',
    'http://127.0.0.1:9',
  ]) {
    const refused = backendHosts(host, false)
    assert.equal(refused.config, undefined, host)
    assert.match(refused.errors.map((e) => e.message).join('\n'), /KrakenD's host check/, host)
    if (host !== 'http://{tenant}.svc:8080')
      assert.ok(backendHosts(host, true).config, `${host} with disable_host_sanitize`)
  }
})

test('with disable_host_sanitize, a host Go cannot call is refused: KrakenD starts and fails every call to it', () => {
  for (const host of ['http://{tenant}.svc:8080', 'http://svc:8080/%zz']) {
    const refused = backendHosts(host, true)
    assert.equal(refused.config, undefined, host)
    assert.match(
      refused.errors[0]?.message ?? '',
      /refused by Go's url\.Parse .*KrakenD fails every call/,
      host,
    )
  }
  const written = backendHosts('HTTP://Svc:8080/base', true).config?.endpoints[0]?.backends[0]?.hosts
  assert.deepEqual(written, ['HTTP://Svc:8080/base'], 'kept as written')
})

test('hosts lura cleans are accepted', () => {
  for (const host of [
    'http://svc:8080',
    'https://api.internal:8443/',
    'svc_x:8080',
    'http://svc.:80',
    'http://127.0.0.1:65535',
  ])
    assert.ok(backendHosts(host, false).config, host)
})

test('the root host list is always sanitized', () => {
  const result = validateGatewayConfig({
    version: 3,
    host: ['http://{tenant}.svc:8080'],
    endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/b', disable_host_sanitize: true }] }],
  })
  assert.equal(result.config, undefined)
})

test("with disable_host_sanitize, an empty port is dropped, as Go's http.NewRequest drops it", () => {
  const hostsOf = (host: string) => backendHosts(host, true).config?.endpoints[0]?.backends[0]?.hosts
  assert.deepEqual(hostsOf('http://backend.test:'), ['http://backend.test'])
  assert.deepEqual(hostsOf('http://backend.test:/base'), ['http://backend.test/base'])
  assert.deepEqual(hostsOf('http://[::1]:'), ['http://[::1]'])
  assert.deepEqual(hostsOf('http://backend.test:8080/base'), ['http://backend.test:8080/base'])
})
