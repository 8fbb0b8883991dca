import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

// santhosh-tekuri/jsonschema v6 (KrakenD CE's library) ignores `$id` in draft-04 (the keyword is
// `id` there) and, before 2019-09, beside a `$ref`: a relative `$ref` under such an `$id` resolves
// against the enclosing resource, not the `$id`.

const d4 = 'http://json-schema.org/draft-04/schema#'
const d7 = 'http://json-schema.org/draft-07/schema#'
const schemas: Record<string, Record<string, unknown>> = {
  // draft-04: the nested `$id` is no keyword, so `#/definitions/x` is the root's (a string)
  '/d4': {
    $schema: d4,
    definitions: { x: { type: 'string' } },
    properties: {
      p: {
        $id: 'http://example.com/sub',
        definitions: { x: {} },
        properties: { q: { $ref: '#/definitions/x' } },
      },
    },
  },
  // draft-07: the `$id` beside `$ref` is ignored, so `y.json` is http://example.com/y.json (a string)
  '/d7': {
    $schema: d7,
    $id: 'http://example.com/root.json',
    definitions: {
      a: { $id: 'http://example.com/y.json', type: 'string' },
      b: { $id: 'http://example.com/sub/y.json' },
    },
    properties: { p: { $id: 'http://example.com/sub/p.json', $ref: 'y.json' } },
  },
  // 2020-12 reads the `$id` beside `$ref`: http://example.com/sub/y.json, anything goes
  '/d2020': {
    $id: 'http://example.com/root.json',
    $defs: {
      a: { $id: 'http://example.com/y.json', type: 'string' },
      b: { $id: 'http://example.com/sub/y.json' },
    },
    properties: { p: { $id: 'http://example.com/sub/p.json', $ref: 'y.json' } },
  },
}

const gw = gatewayWith((backend) => ({
  version: 3,
  name: 'schema-ids',
  endpoints: Object.entries(schemas).map(([endpoint, schema]) => ({
    endpoint,
    method: 'POST',
    extra_config: { 'validation/json-schema': schema },
    backend: [{ host: [backend.origin], url_pattern: '/echo' }],
  })),
}))

describe('validation/json-schema: $id as KrakenD reads it before draft 2019-09', () => {
  test('a draft-04 $id does not move the base of the $refs under it', async () => {
    const seen = gw.backend.seen.length
    assert.equal((await send(gw.url, { method: 'POST', path: '/d4', body: { p: { q: 1 } } })).status, 400)
    assert.equal(gw.backend.seen.length, seen, 'the backend is not called')
    assert.equal((await send(gw.url, { method: 'POST', path: '/d4', body: { p: { q: 'a' } } })).status, 200)
  })

  test('a draft-07 $id beside $ref is ignored, as every sibling of $ref', async () => {
    const seen = gw.backend.seen.length
    assert.equal((await send(gw.url, { method: 'POST', path: '/d7', body: { p: 1 } })).status, 400)
    assert.equal(gw.backend.seen.length, seen, 'the backend is not called')
    assert.equal((await send(gw.url, { method: 'POST', path: '/d7', body: { p: 'a' } })).status, 200)
  })

  test('from 2019-09 on, the $id beside $ref is the base of that $ref', async () => {
    assert.equal((await send(gw.url, { method: 'POST', path: '/d2020', body: { p: 1 } })).status, 200)
  })
})
