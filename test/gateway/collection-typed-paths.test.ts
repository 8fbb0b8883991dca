// An `is_collection` backend's `collection` is a value lura's manipulations do not walk into: for xml
// krakend-xml's mxj.Map (a named map type: target, allow, deny, krakend/flatmap and krakend-lua's get
// all assert map[string]interface{}), for JSON a list (lura's deny walks maps only). KrakenD CE 2.13.8
// answers {} to a target or allow into the xml collection, skips a deny or flatmap path into it (the
// field stays), and a Lua get of it, or of an rss answer's typed fields (typed nils too), fails the
// script. Found by krakend-diff's encgen generator (SEED=6014 /e20): we walked into it, showing fields
// KrakenD's allow drops and removing fields its deny leaves. Skipped removals are refused here (exit 2).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { rawGatewayWith } from './gateway-fixture.ts'

const XML = '<r><a>1</a><b x="2">t</b></r>'
const FEED = '<rss version="2.0"><channel><title>T</title><item><title>I</title></item></channel></rss>'

describe('an xml collection is taken whole', () => {
  const gateway = rawGatewayWith(
    (raw) => {
      const xml = { host: [raw.origin], url_pattern: '/xml', encoding: 'xml', is_collection: true }
      const rss = { host: [raw.origin], url_pattern: '/feed', encoding: 'rss' }
      const luaGet = (key: string) => ({
        'modifier/lua-proxy': {
          post: `local r = response.load(); local v = r:data():get('${key}'); r:headers('X-Type', type(v))`,
        },
      })
      return {
        version: 3,
        endpoints: [
          { endpoint: '/plain', backend: [xml] },
          { endpoint: '/target', backend: [{ ...xml, target: 'collection' }] },
          { endpoint: '/allow', backend: [{ ...xml, allow: ['collection.r.a'] }] },
          { endpoint: '/allow-whole', backend: [{ ...xml, allow: ['collection'] }] },
          {
            endpoint: '/move',
            backend: [
              {
                ...xml,
                extra_config: { proxy: { flatmap_filter: [{ type: 'move', args: ['collection', 'c'] }] } },
              },
            ],
          },
          { endpoint: '/lua', backend: [xml], extra_config: luaGet('collection') },
          { endpoint: '/lua-items', backend: [rss], extra_config: luaGet('items') },
          { endpoint: '/lua-author', backend: [rss], extra_config: luaGet('author') },
          { endpoint: '/lua-title', backend: [rss], extra_config: luaGet('title') },
        ],
      }
    },
    { '/xml': XML, '/feed': FEED },
  )

  const get = async (path: string) => {
    const res = await fetch(`${gateway.url}${path}`)
    return { status: res.status, body: await res.text(), completed: res.headers.get('x-krakend-completed') }
  }
  const WHOLE = '{"collection":{"r":{"a":"1","b":{"#text":"t","-x":"2"}}}}'

  test('target and allow into it give {}; taken whole, it stays as it is', async () => {
    assert.deepEqual(await get('/plain'), { status: 200, body: WHOLE, completed: 'true' })
    assert.deepEqual(await get('/target'), { status: 200, body: '{}', completed: 'false' })
    assert.deepEqual(await get('/allow'), { status: 200, body: '{}', completed: 'false' })
    assert.deepEqual(await get('/allow-whole'), { status: 200, body: WHOLE, completed: 'true' })
    assert.equal((await get('/move')).body, WHOLE.replace('"collection"', '"c"'))
  })

  test("krakend-lua's get fails on it, and on an rss answer's typed values and typed nils", async () => {
    for (const path of ['/lua', '/lua-items', '/lua-author'])
      assert.equal((await get(path)).status, 500, path)
    assert.equal((await get('/lua-title')).status, 200)
  })
})

describe('deny and flatmap paths into a collection are refused', () => {
  const backend = (more: Record<string, unknown>) => ({
    host: ['http://127.0.0.1:19'],
    url_pattern: '/x',
    ...more,
  })
  const check = (endpoint: Record<string, unknown>) => {
    const result = validateGatewayConfig({
      version: 3,
      name: 'n',
      endpoints: [{ endpoint: '/e', ...endpoint }],
    })
    return {
      errors: result.errors.map((e) => e.location?.path),
      warnings: result.warnings.map((w) => w.location?.path),
    }
  }
  const xml = { encoding: 'xml', is_collection: true }

  test('a deny path into an xml or JSON collection; the whole collection is fine', () => {
    assert.deepEqual(check({ backend: [backend({ ...xml, deny: ['collection.r.a', 'collection'] })] }), {
      errors: ['endpoints[0].backend[0].deny[0]'],
      warnings: [],
    })
    assert.deepEqual(check({ backend: [backend({ is_collection: true, deny: ['collection.k'] })] }).errors, [
      'endpoints[0].backend[0].deny[0]',
    ])
    assert.deepEqual(check({ backend: [backend({ deny: ['collection.k'] })] }).errors, [])
  })

  test('flatmap into an xml collection, at the backend or over a merge; allow into it warns', () => {
    const del = (path: string) => ({ proxy: { flatmap_filter: [{ type: 'del', args: [path] }] } })
    assert.deepEqual(check({ backend: [backend({ ...xml, extra_config: del('collection.r') })] }).errors, [
      'endpoints[0].backend[0].extra_config.proxy.flatmap_filter[0].args[0]',
    ])
    assert.deepEqual(
      check({ backend: [backend({ ...xml, group: 'g' }), backend({})], extra_config: del('g.collection.r') })
        .errors,
      ['endpoints[0].extra_config.proxy.flatmap_filter[0].args[0]'],
    )
    // a JSON collection's list is walked by flatmap
    assert.deepEqual(
      check({ backend: [backend({ is_collection: true, extra_config: del('collection.0') })] }).errors,
      [],
    )
    assert.deepEqual(check({ backend: [backend({ ...xml, allow: ['collection.r'] })] }).warnings, [
      'endpoints[0].backend[0].allow[0]',
    ])
  })
})
