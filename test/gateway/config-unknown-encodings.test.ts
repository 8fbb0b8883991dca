import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { gatewayWith } from './gateway-fixture.ts'
import { send } from './helpers.ts'

// KrakenD CE starts with any encoding name. lura's decoder registry answers JSON for a name it
// lacks; its render registry, for an output_encoding it lacks, takes the render named by the one
// backend's exact encoding, else JSON (router/gin getRender). Checked on KrakenD CE 2.13.8: the
// same answers for 25 such endpoints (string, xml, yaml, no-op, json-collection fallbacks).

describe('encoding names KrakenD CE has no decoder or render for', () => {
  const gateway = gatewayWith(
    (backend) => ({
      version: 3,
      host: [backend.origin],
      endpoints: [
        { endpoint: '/proto', backend: [{ url_pattern: '/obj', encoding: 'protobuf' }] },
        {
          endpoint: '/text',
          output_encoding: 'protobuf',
          backend: [{ url_pattern: '/text', encoding: 'string' }],
        },
        {
          endpoint: '/yaml',
          output_encoding: 'protobuf',
          backend: [{ url_pattern: '/obj', encoding: 'yaml' }],
        },
        {
          endpoint: '/pass',
          output_encoding: 'protobuf',
          backend: [{ url_pattern: '/teapot', encoding: 'no-op' }],
        },
        {
          endpoint: '/merge',
          output_encoding: 'protobuf',
          backend: [{ url_pattern: '/obj' }, { url_pattern: '/text', encoding: 'string', group: 'g' }],
        },
      ],
    }),
    {
      backends: {
        api: {
          '/obj': { body: { b: 1, a: 'x' } },
          '/text': { raw: 'hello <world>', headers: { 'Content-Type': 'text/plain' } },
          '/teapot': { status: 418, raw: 'short and stout', headers: { 'X-Pot': 'tea' } },
        },
      },
    },
  )

  test('an unknown backend encoding decodes JSON', async () => {
    const res = await send(gateway.url, { path: '/proto' })
    assert.equal(res.status, 200)
    assert.deepEqual(JSON.parse(res.text), { a: 'x', b: 1 })
  })

  test("an unknown output_encoding renders as the one backend's encoding names", async () => {
    const text = await send(gateway.url, { path: '/text' })
    assert.equal(text.status, 200)
    assert.equal(text.text, 'hello <world>')
    assert.match(String(text.headers['content-type']), /^text\/plain/)
    const yaml = await send(gateway.url, { path: '/yaml' })
    assert.match(String(yaml.headers['content-type']), /^application\/yaml/)
    assert.equal(yaml.text, 'a: x\nb: "1"\n') // json.Number, as KrakenD's yaml writes it
    const pass = await send(gateway.url, { path: '/pass' })
    assert.equal(pass.status, 418)
    assert.equal(pass.text, 'short and stout')
    assert.equal(pass.headers['x-pot'], 'tea')
  })

  test('with several backends an unknown output_encoding is JSON', async () => {
    const res = await send(gateway.url, { path: '/merge' })
    assert.deepEqual(JSON.parse(res.text), { a: 'x', b: 1, g: { content: 'hello <world>' } })
  })
})

test('unknown encoding names are located warnings, the service one resolved per endpoint', () => {
  const result = validateGatewayConfig({
    version: 3,
    output_encoding: 'protobuf',
    host: ['http://127.0.0.1:19'],
    endpoints: [
      { endpoint: '/s', backend: [{ url_pattern: '/', encoding: 'string' }] },
      { endpoint: '/j', backend: [{ url_pattern: '/', encoding: 'Avro' }] },
      { endpoint: '/x', output_encoding: 'Xml', backend: [{ url_pattern: '/', encoding: 'xml' }] },
      { endpoint: '/n', output_encoding: 'No-Op', backend: [{ url_pattern: '/', encoding: 'no-op' }] },
    ],
  })
  assert.deepEqual(result.errors, [])
  const endpoints = result.config?.endpoints ?? []
  assert.deepEqual(
    endpoints.map((e) => [e.outputEncoding, e.noop, e.backends[0]?.encoding]),
    [
      ['string', false, 'string'],
      ['json', false, 'json'],
      ['xml', false, 'xml'],
      ['no-op', true, 'no-op'],
    ],
  )
  assert.deepEqual(
    result.warnings.map((w) => w.location?.path ?? '').filter((p) => /encoding/.test(p)),
    [
      'output_encoding',
      'endpoints[1].backend[0].encoding',
      'endpoints[2].output_encoding',
      'endpoints[3].output_encoding',
    ],
  )
})

test('"No-Op" in another case stays refused as a backend encoding', () => {
  const result = validateGatewayConfig({
    version: 3,
    endpoints: [
      { endpoint: '/a', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/', encoding: 'No-Op' }] },
    ],
  })
  assert.match(result.errors.map((e) => e.message).join(), /unsupported encoding "No-Op"/)
})
