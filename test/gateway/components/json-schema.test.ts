import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

let backend: TestBackend
let gw: Running
let verbose: Running

const order = {
  type: 'object',
  required: ['id', 'email'],
  properties: { id: { type: 'integer', minimum: 1 }, email: { type: 'string', format: 'email' } },
}
const config = (returnErrorMsg: boolean, host: string[]) =>
  mustConfig({
    version: 3,
    name: 'schema',
    extra_config: { router: { return_error_msg: returnErrorMsg } },
    endpoints: [
      {
        endpoint: '/orders',
        method: 'POST',
        extra_config: { 'validation/json-schema': order },
        backend: [{ host, url_pattern: '/echo' }],
      },
      // KrakenD CE's own fixture: {"type": "number"}, so an object body is refused (spec jsonschema_1)
      {
        endpoint: '/jsonschema',
        method: 'POST',
        extra_config: { 'validation/json-schema': { type: 'number' } },
        backend: [{ host, url_pattern: '/echo' }],
      },
      {
        endpoint: '/v2020',
        method: 'PUT',
        extra_config: {
          'validation/json-schema': {
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            type: 'array',
            prefixItems: [{ type: 'string' }],
            items: false,
          },
        },
        backend: [{ host, url_pattern: '/echo' }],
      },
    ],
  })

before(async () => {
  backend = await startBackend('api')
  gw = await startGateway(config(false, [backend.origin]))
  verbose = await startGateway(config(true, [backend.origin]))
})
after(async () => {
  await gw?.close()
  await verbose?.close()
  await backend?.close()
})

describe('validation/json-schema', () => {
  test('a valid body reaches the backend unchanged', async () => {
    const res = await send(gw.url, {
      method: 'POST',
      path: '/orders',
      headers: { 'content-type': 'application/json' },
      body: { id: 3, email: 'a@example.com' },
    })
    assert.equal(res.status, 200)
    assert.equal((JSON.parse(res.text) as { body: string }).body, '{"id":3,"email":"a@example.com"}')
  })

  test('violations, a non-JSON body and an empty body are 400 before any backend call', async () => {
    const seen = backend.seen.length
    for (const body of [{ id: 0, email: 'a@example.com' }, { email: 'a@b.c' }, 'not json', undefined]) {
      const res = await send(gw.url, { method: 'POST', path: '/orders', body })
      assert.equal(res.status, 400, JSON.stringify(body))
      assert.equal(res.text, '')
      assert.equal(res.headers['x-krakend-completed'], 'false')
      assert.equal(
        res.headers['x-krakend'],
        'Version 2.13.8',
        'refused inside the endpoint handler, after X-KrakenD is set',
      )
    }
    assert.equal((await send(gw.url, { method: 'POST', path: '/jsonschema', body: { foo: 42 } })).status, 400)
    assert.equal((await send(gw.url, { method: 'POST', path: '/jsonschema', body: '42' })).status, 200)
    assert.equal(backend.seen.length, seen + 1)
  })

  test("with return_error_msg the reasons are in the body, in KrakenD's words", async () => {
    const res = await send(verbose.url, { method: 'POST', path: '/orders', body: { id: 0 } })
    assert.equal(res.status, 400)
    assert.equal(res.text, "- at '': missing property 'email'\n- at '/id': minimum: got 0, want 1")
    const malformed = await send(verbose.url, { method: 'POST', path: '/orders', body: '{"id": 1,}' })
    assert.equal(malformed.text, "invalid character '}' looking for beginning of object key string")
    const empty = await send(verbose.url, { method: 'POST', path: '/orders' })
    assert.equal(empty.text, 'could not validate an empty body')
  })

  test('draft 2020-12 keywords are honoured', async () => {
    assert.equal((await send(gw.url, { method: 'PUT', path: '/v2020', body: ['a'] })).status, 200)
    assert.equal((await send(gw.url, { method: 'PUT', path: '/v2020', body: ['a', 'b'] })).status, 400)
  })

  test('a schema that does not compile is a config error (KrakenD would skip the validation)', () => {
    const result = validateGatewayConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/a',
          extra_config: {
            'validation/json-schema': { type: 'object', properties: { a: { $ref: '#/nowhere' } } },
          },
          backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }],
        },
      ],
    })
    assert.equal(result.errors[0]?.location?.path, 'endpoints[0].extra_config.validation/json-schema')
    assert.match(result.errors[0]?.message ?? '', /does not compile/)
  })
})
