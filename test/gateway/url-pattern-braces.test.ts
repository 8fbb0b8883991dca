// lura takes `{name}` in a url_pattern as a parameter only when the name is letters, digits and
// `_ - . : /` (its simpleURLKeysPattern); any other `{...}` is literal text, sent as written, in a
// sequential proxy too (it took `{resp0_a@b}` for a placeholder of an earlier answer here, and
// refused `{q@}`). Expected targets are KrakenD CE 2.13.8's (krakend-diff: 20 sequential and 16
// plain url_patterns, 0 differ).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { rawGatewayWith } from './gateway-fixture.ts'
import { rawRequest, sendRaw } from './helpers.ts'

const PLAIN = ['/o/{x}/{q@}', '/o?v={p x}&x={x}', '/o/{é}/{x}', '/o?v={q#}']
const SEQUENTIAL = ['/seq/{resp0_a@b}/x', '/seq?v={resp0_a b}', '/seq/{resp0_a.b}/x']

const gw = rawGatewayWith(
  (raw) => ({
    version: 3,
    endpoints: [
      ...PLAIN.map((url_pattern, i) => ({
        endpoint: `/p${i}/{x}`,
        backend: [{ host: [raw.origin], url_pattern }],
      })),
      ...SEQUENTIAL.map((url_pattern, i) => ({
        endpoint: `/s${i}`,
        extra_config: { proxy: { sequential: true } },
        backend: [
          { host: [raw.origin], url_pattern: '/first' },
          { host: [raw.origin], url_pattern },
        ],
      })),
    ],
  }),
  { '/first': '{"a@b":4,"a b":2,"a":{"b":10}}' },
)

test('a {...} lura does not take for a parameter is sent as written', async () => {
  const expected = [
    'GET /o/v/%7Bq@%7D HTTP/1.1',
    'GET /o?v={p x}&x=v HTTP/1.1',
    'GET /o/%7B%C3%A9%7D/v HTTP/1.1',
    'GET /o?v={q HTTP/1.1',
  ]
  for (const [i, line] of expected.entries()) {
    const res = await sendRaw(gw.url, rawRequest([`GET /p${i}/v HTTP/1.1`, 'Host: gw']))
    assert.equal(res.status, 200, PLAIN[i])
    assert.equal(gw.raw.head().split('\r\n')[0], line, PLAIN[i])
  }
})

test('in a sequential proxy too: only a parameter name takes an earlier answer', async () => {
  const expected = [
    'GET /seq/%7Bresp0_a@b%7D/x HTTP/1.1',
    'GET /seq?v={resp0_a b} HTTP/1.1',
    'GET /seq/10/x HTTP/1.1',
  ]
  for (const [i, line] of expected.entries()) {
    const res = await sendRaw(gw.url, rawRequest([`GET /s${i} HTTP/1.1`, 'Host: gw']))
    assert.equal(res.status, 200, SEQUENTIAL[i])
    assert.equal(gw.raw.head().split('\r\n')[0], line, SEQUENTIAL[i])
  }
})

test('the config check warns that such text is no parameter, at the url_pattern', () => {
  const result = validateGatewayConfig({
    version: 3,
    endpoints: [
      { endpoint: '/a/{x}', backend: [{ host: ['http://127.0.0.1:8080'], url_pattern: '/o/{x}/{q@}' }] },
    ],
  })
  assert.deepEqual(result.errors, [])
  const warning = result.warnings.find((w) => w.location?.path === 'endpoints[0].backend[0].url_pattern')
  assert.match(warning?.message ?? '', /\{q@\} in url_pattern "\/o\/\{x\}\/\{q@\}" is no parameter for lura/)
})
