import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

// krakend-koanf decodes the service, endpoint and backend settings with mapstructure's
// WeaklyTypedInput: a single value where a list goes is a list of one, "true"/"1" are booleans,
// "8080" is an int, 5 is the string "5"; a key in another case is the field (strings.EqualFold)
// when the file has no exact key. KrakenD runs such files; so does this runtime.

describe('service, endpoint and backend values written as other JSON types', () => {
  let backend: TestBackend
  let gateway: Running
  before(async () => {
    backend = await startBackend('api', { '/list': { body: [{ id: 1 }, { id: 2 }] } })
    gateway = await startGateway(
      mustConfig({
        version: '3',
        name: 5,
        port: '8080',
        endpoints: [
          {
            endpoint: '/items',
            concurrent_calls: '1',
            Input_Headers: 'X-Trace',
            input_query_strings: 'page',
            backend: [
              {
                host: backend.origin,
                url_pattern: '/list',
                IS_COLLECTION: 'true',
                disable_host_sanitize: '0',
                mapping: { collection: 'items' },
              },
            ],
          },
        ],
      }),
    )
  })
  after(async () => {
    await gateway?.close()
    await backend?.close()
  })

  test('a string host, one input header and one query string, a string is_collection, keys in another case', async () => {
    const res = await send(gateway.url, {
      path: '/items?page=2&other=1',
      headers: { 'x-trace': 't1', 'x-other': 'o' },
    })
    assert.equal(res.status, 200)
    assert.deepEqual(JSON.parse(res.text), { items: [{ id: 1 }, { id: 2 }] })
    const seen = backend.seen.at(-1)
    assert.equal(seen?.url, '/list?page=2')
    assert.equal(seen?.headers['x-trace'], 't1')
    assert.equal(seen?.headers['x-other'], undefined)
  })

  test('the name 5 is "5"', async () => {
    const health = await send(gateway.url, { path: '/__health' })
    assert.equal(JSON.parse(health.text).name, '5')
  })

  test('Go integer syntax, booleans as numbers; what mapstructure cannot convert is still refused', () => {
    const config = (port: unknown, sanitize: unknown) => ({
      version: 3,
      name: 'x',
      port,
      endpoints: [
        {
          endpoint: '/a',
          backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/', disable_host_sanitize: sanitize }],
        },
      ],
    })
    assert.equal(validateGatewayConfig(config('0x1F90', 1)).config?.port, 8080)
    assert.equal(validateGatewayConfig(config(8080.9, 0)).config?.port, 8080)
    const refused = validateGatewayConfig(config('80a', 'yes'))
    assert.deepEqual(refused.errors.map((e) => e.location?.path).sort(), [
      'endpoints[0].backend[0].disable_host_sanitize',
      'port',
    ])
  })
})

describe('null and "" where lura reads its zero value as unset', () => {
  let backend: TestBackend | undefined
  let gateway: Running | undefined
  before(async () => {
    backend = await startBackend('zero', { '/obj': { body: { a: 1, b: 2 } } })
    gateway = await startGateway(
      mustConfig({
        version: 3,
        name: 'zero values',
        output_encoding: null,
        endpoints: [
          {
            endpoint: '/zero',
            method: '',
            output_encoding: '',
            input_headers: null,
            input_query_strings: [null, 'q'],
            backend: [
              {
                host: [backend.origin],
                url_pattern: '/obj',
                method: null,
                encoding: '',
                group: null,
                is_collection: null,
                allow: null,
                deny: null,
                mapping: [],
              },
            ],
          },
        ],
      }),
    )
  })
  after(async () => {
    await gateway?.close()
    await backend?.close()
  })

  test('the endpoint is GET, JSON in and out, nothing filtered: as KrakenD serves it', async () => {
    const res = await send(String(gateway?.url), { path: '/zero?q=1&x=2' })
    assert.equal(res.status, 200)
    assert.deepEqual(JSON.parse(res.text), { a: 1, b: 2 })
    assert.equal(backend?.seen.at(-1)?.method, 'GET')
    assert.equal(backend?.seen.at(-1)?.url, '/obj?q=1')
  })

  test('a null item of a string list is ""', () => {
    const result = validateGatewayConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/a',
          backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/', allow: [null, 'a'] }],
        },
      ],
    })
    assert.deepEqual(result.errors, [])
    assert.deepEqual(result.config?.endpoints[0]?.backends[0]?.allow, ['', 'a'])
  })
})

test('a backend encoding in another case is the decoder lura picks by strings.ToLower; "No-Op" and unknown names stay refused', () => {
  const encodingOf = (encoding: string) => {
    const result = validateGatewayConfig({
      version: 3,
      endpoints: [
        { endpoint: '/a', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/', encoding }] },
      ],
    })
    return result.config?.endpoints[0]?.backends[0]?.encoding ?? result.errors.map((e) => e.message).join()
  }
  assert.deepEqual(['JSON', 'Xml', 'SafeJSON', 'String', 'RSS'].map(encodingOf), [
    'json',
    'xml',
    'safejson',
    'string',
    'rss',
  ])
  assert.match(encodingOf('No-Op'), /unsupported encoding "No-Op"/)
  assert.equal(encodingOf('protobuf'), 'json')
})

// mapstructure's WeaklyTypedInput also lifts a single object into a list of one ("endpoints": {...},
// "backend": {...}; {} is an empty list) and merges a list of objects into one map ("extra_config":
// [{...}, {...}]). KrakenD 2.13.8 ran both shapes and refused User-Agent BadBot (403) with the bot
// detector in such an extra_config list; this runtime refused the file ("must be a list", "must be
// an object").
describe('one object for a list, a list of objects for one map', () => {
  let backend: TestBackend
  let gateway: Running
  const raw = (origin: string) => ({
    version: 3,
    name: 'shapes',
    endpoints: {
      endpoint: '/one',
      extra_config: [
        { 'security/bot-detector': { deny: ['BadBot'] } },
        { 'qos/ratelimit/router': { max_rate: 100 } },
      ],
      backend: { host: origin, url_pattern: '/ok', extra_config: [] },
    },
  })
  before(async () => {
    backend = await startBackend('api', { '/ok': { body: { ok: true } } })
    gateway = await startGateway(mustConfig(raw(backend.origin)))
  })
  after(async () => {
    await gateway?.close()
    await backend?.close()
  })

  test('the single endpoint and backend serve, and the merged extra_config guards', async () => {
    assert.equal((await send(gateway.url, { path: '/one', headers: { 'user-agent': 'BadBot' } })).status, 403)
    const ok = await send(gateway.url, { path: '/one', headers: { 'user-agent': 'Good' } })
    assert.equal(ok.status, 200)
    assert.deepEqual(JSON.parse(ok.text), { ok: true })
  })

  test('problems inside are named where the file writes them; two items setting one namespace are refused', () => {
    const typo = validateGatewayConfig({
      version: 3,
      name: 'x',
      endpoints: {
        endpoint: '/a',
        extra_config: [{}, { 'security/bot-detector': { deny: ['BadBot'], alow: ['x'] } }],
        backend: { host: 'http://127.0.0.1:19', url_pattern: '/' },
      },
    })
    assert.deepEqual(
      [...typo.errors, ...typo.warnings].map((p) => p.location?.path),
      ['endpoints.extra_config[1].security/bot-detector.alow'],
    )
    const twice = validateGatewayConfig({
      version: 3,
      name: 'x',
      endpoints: [
        {
          endpoint: '/a',
          extra_config: [{ 'security/bot-detector': { deny: ['BadBot'] } }, { 'security/bot-detector': {} }],
          backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/' }],
        },
      ],
    })
    assert.equal(twice.config, undefined)
  })
})
