// A collection backend (`is_collection`) answering `null`: Go decodes it into lura's []interface{} as a
// nil slice, which encoding/json writes `null` but goccy's YAML writes `[]`, Lua reads as an empty
// luaList, CEL as an empty list and the sequential proxy as an empty `{resp0_collection}`. Found by
// krakend-diff (mixed SEED=5040, `collection: null` here); suite nil-slice compares 26 such cases.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'

describe('a collection backend answering null is a nil slice', () => {
  const gateway = rawGatewayWith(
    (raw) => {
      const nil = { host: [raw.origin], url_pattern: '/null', is_collection: true }
      const endpoint = (path: string, more: Record<string, unknown> = {}) => ({
        endpoint: path,
        backend: [nil],
        ...more,
      })
      return {
        version: 3,
        endpoints: [
          endpoint('/json'),
          endpoint('/yaml', { output_encoding: 'yaml' }),
          endpoint('/mapped', {
            output_encoding: 'yaml',
            backend: [{ ...nil, mapping: { collection: 'items' } }],
          }),
          endpoint('/merged', {
            output_encoding: 'yaml',
            backend: [nil, { host: [raw.origin], url_pattern: '/obj' }],
          }),
          endpoint('/lua', {
            extra_config: {
              'modifier/lua-proxy': {
                post: "local r = response.load(); local c = r:data():get('collection'); r:headers('X-Len', tostring(c:len()))",
              },
            },
          }),
          endpoint('/cel', {
            backend: [
              {
                ...nil,
                extra_config: { 'validation/cel': [{ check_expr: 'size(resp_data.collection) == 0' }] },
              },
            ],
          }),
          endpoint('/sequential', {
            extra_config: { proxy: { sequential: true } },
            backend: [nil, { host: [raw.origin], url_pattern: '/next?c={resp0_collection}' }],
          }),
        ],
      }
    },
    { '/null': 'null', '/obj': '{"a":1}' },
  )

  const get = async (path: string) => {
    const res = await fetch(`${gateway.url}${path}`)
    return { status: res.status, body: await res.text(), len: res.headers.get('x-len') }
  }

  test('JSON writes it null, YAML [] (renamed, merged or not)', async () => {
    assert.equal((await get('/json')).body, '{"collection":null}')
    assert.equal((await get('/yaml')).body, 'collection: []\n')
    assert.equal((await get('/mapped')).body, 'items: []\n')
    assert.equal((await get('/merged')).body, 'a: "1"\ncollection: []\n')
  })

  test('Lua and CEL read an empty list; the sequential proxy an empty param', async () => {
    assert.deepEqual(await get('/lua'), { status: 200, body: '{"collection":null}', len: '0' })
    assert.deepEqual(await get('/cel'), { status: 200, body: '{"collection":null}', len: null })
    assert.equal((await get('/sequential')).status, 200)
    assert.match(gateway.raw.head(), /^GET \/next\?c= HTTP\/1\.1\r\n/)
  })
})
