import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { checkGatewayConfigText } from '../../src/gateway/config/load.ts'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

// lura's gin engine and krakend-ce's error_body decode extra_config.router with encoding/json, so
// "Max_Payload" is max_payload there (of two spellings, the last in Go's byte order); only
// auto_options is a map lookup by its exact key (lura router/gin/router.go), so "Auto_Options" is
// ignored by KrakenD. Service, endpoint and backend keys go through mapstructure: the exact key wins
// over another case, and of two other spellings Go's map order picks one.

describe('router options written in another case', () => {
  let backend: TestBackend
  let gateway: Running
  before(async () => {
    backend = await startBackend('api', { '/x': { body: { ok: true } } })
    gateway = await startGateway(
      mustConfig({
        version: 3,
        name: 'router-case',
        extra_config: {
          router: { Max_Payload: 10, Health_Path: '/hz', HIDE_VERSION_HEADER: true, Auto_Options: true },
        },
        endpoints: [
          { endpoint: '/a', method: 'POST', backend: [{ host: [backend.origin], url_pattern: '/x' }] },
        ],
      }),
    )
  })
  after(async () => {
    await gateway?.close()
    await backend?.close()
  })

  test('Max_Payload bounds the body; Health_Path moves the health endpoint', async () => {
    const small = await send(gateway.url, { path: '/a', method: 'POST', body: '{"a":1}' })
    assert.equal(small.status, 200)
    const big = await send(gateway.url, { path: '/a', method: 'POST', body: '{"a":"0123456789"}' })
    assert.equal(big.status, 413)
    assert.equal((await send(gateway.url, { path: '/hz' })).status, 200)
    assert.equal((await send(gateway.url, { path: '/__health' })).status, 404)
  })

  test('HIDE_VERSION_HEADER hides the version; Auto_Options adds no OPTIONS endpoint', async () => {
    const options = await send(gateway.url, { path: '/a', method: 'OPTIONS' })
    assert.equal(options.status, 405)
    assert.equal(options.headers['x-krakend'], 'Version undefined')
  })
})

describe('reading and warnings', () => {
  const router = (options: Record<string, unknown>) =>
    validateGatewayConfig({ version: 3, name: 'x', extra_config: { router: options }, endpoints: [] })

  test('of two spellings the last in byte order wins; a problem is placed at the key as written', () => {
    assert.equal(router({ Max_Payload: 10, max_payload: 20 }).config?.server.maxBodyBytes, 20)
    assert.equal(router({ max_payload: 10, MAX_PAYLOAD: 20 }).config?.server.maxBodyBytes, 10)
    const bad = router({ Max_Payload: 'ten' })
    assert.deepEqual(
      bad.errors.map((e) => e.location?.path),
      ['extra_config.router.Max_Payload'],
    )
  })

  // lura's gin engine applies none of its options when one field fails to decode: KrakenD CE
  // 2.13.8 trusted X-Forwarded-For from every peer with "Trusted_Proxies": "" beside
  // "trusted_proxies" (a per-client rate limit by ip then counted each spoofed address apart).
  test('a key gin cannot decode, in any spelling, is refused: KrakenD would drop every router option', () => {
    const refused = (options: Record<string, unknown>) => router(options).errors.map((e) => e.location?.path)
    const trusted = { trusted_proxies: ['10.0.0.0/8'] }
    assert.deepEqual(refused({ ...trusted, Trusted_Proxies: '' }), ['extra_config.router.Trusted_Proxies'])
    assert.deepEqual(refused({ ...trusted, App_Engine: {}, app_engine: false }), [
      'extra_config.router.App_Engine',
    ])
    assert.deepEqual(refused({ ...trusted, Auto_Options: '' }), ['extra_config.router.Auto_Options'])
    assert.deepEqual(refused({ ...trusted, use_h2c: 'yes' }), ['extra_config.router.use_h2c'])
    assert.deepEqual(refused({ ...trusted, max_multipart_memory: 1.5 }), [
      'extra_config.router.max_multipart_memory',
    ])
    // KrakenD CE 2.13.8 applied none of the options from 2^63 (9223372036854775807 as a float64)
    // and from -2^63; it did from the floats next to them, ±9223372036854774784.
    for (const beyond of [2 ** 63, -(2 ** 63)])
      assert.deepEqual(refused({ ...trusted, max_multipart_memory: beyond }), [
        'extra_config.router.max_multipart_memory',
      ])
    assert.deepEqual(refused({ ...trusted, max_multipart_memory: 2 ** 63 - 1024 }), [])
    assert.deepEqual(refused({ ...trusted, max_multipart_memory: -(2 ** 63) + 1024 }), [])
    // What gin decodes runs: null, a losing spelling of the right type, the read key reported once.
    assert.deepEqual(
      refused({ ...trusted, Trusted_Proxies: ['1.2.3.4'], Auto_Options: false, use_h2c: null }),
      [],
    )
    assert.deepEqual(refused({ trusted_proxies: '10.0.0.0/8' }), ['extra_config.router.trusted_proxies'])
  })

  test('Auto_Options is warned about as ignored, auto_options is read', () => {
    const ignored = router({ Auto_Options: true })
    assert.deepEqual(ignored.errors, [])
    assert.equal(ignored.config?.server.autoOptions, false)
    assert.deepEqual(
      ignored.warnings.map((w) => [
        w.location?.path,
        w.message.startsWith('"Auto_Options" is ignored: KrakenD reads'),
      ]),
      [['extra_config.router.Auto_Options', true]],
    )
    assert.equal(router({ auto_options: true }).config?.server.autoOptions, true)
  })

  test('a service key beside its exact spelling is ignored with a warning; two other spellings are refused', () => {
    const text = (backend: string) =>
      `{"version":3,"name":"x","endpoints":[{"endpoint":"/a","backend":[{"host":["http://127.0.0.1:19"],${backend}}]}]}`
    const beside = checkGatewayConfigText(text('"URL_Pattern":"/x","url_pattern":"/y"'), 'gateway.json')
    assert.deepEqual(beside.errors, [])
    assert.equal(beside.config?.endpoints[0]?.backends[0]?.urlPattern, '/y')
    assert.deepEqual(
      beside.warnings.map((w) => [w.location?.path, w.message]),
      [
        [
          'endpoints[0].backend[0].URL_Pattern',
          '"URL_Pattern" is ignored: "url_pattern" is written beside it, and KrakenD reads the exact key over another case',
        ],
      ],
    )
    // KrakenD 2.13.8 ran /a with "Extra_Config": {bot detector} beside "extra_config": {} and let
    // User-Agent BadBot through (200): what a guarding key's other spelling holds is dropped.
    const guarding = checkGatewayConfigText(
      `{"version":3,"name":"x","endpoints":[{"endpoint":"/a","Extra_Config":{"security/bot-detector":{"deny":["BadBot"]}},"extra_config":{"x/y":{}},"input_headers":["A"],"Input_Headers":["A"],"backend":[{"host":["http://127.0.0.1:19"],"url_pattern":"/y","Deny":["secret"],"deny":[]}]}]}`,
      'gateway.json',
    )
    assert.equal(guarding.config, undefined)
    assert.deepEqual(
      guarding.errors.map((e) => [
        e.location?.path,
        e.message.endsWith('so what "Deny" sets is silently dropped') ||
          e.message.endsWith('so what "Extra_Config" sets is silently dropped'),
      ]),
      [
        ['endpoints[0].Extra_Config', true],
        ['endpoints[0].backend[0].Deny', true],
      ],
    )
    assert.deepEqual(
      guarding.warnings.map((w) => w.location?.path),
      ['endpoints[0].Input_Headers'],
      'the same list under both spellings drops nothing',
    )
    const two = checkGatewayConfigText(text('"URL_Pattern":"/x","Url_Pattern":"/y"'), 'gateway.json')
    assert.deepEqual(two.errors.map((e) => [e.location?.path, e.message]).slice(0, 1), [
      [
        'endpoints[0].backend[0].URL_Pattern',
        '"URL_Pattern" and "Url_Pattern" spell "url_pattern" in another case: KrakenD reads one of them, which one changing from run to run (Go\'s map order)',
      ],
    ])
  })
})
