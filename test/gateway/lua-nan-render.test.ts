// A NaN or ±Inf a Lua `post` sets in the response data: Go's json.Marshal refuses it, and gin's JSON
// render then answers the status with its Content-Type and no body (KrakenD CE: 200, empty body,
// `json: unsupported value: NaN` in its log); its YAML render writes the float64 (`.nan`, `.inf`).
// Found by the differential fuzz of the Lua modifiers against KrakenD CE (this runtime wrote `null`).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'

const setting = (value: string) => `local p = response.load()\np:data():set('x', ${value})`

describe('a NaN or Inf a Lua post sets, as gin renders it', () => {
  const gateway = rawGatewayWith((raw) => {
    const host = [raw.origin]
    const proxy = (path: string, post: string, more: Record<string, unknown> = {}) => ({
      endpoint: path,
      ...more,
      extra_config: { 'modifier/lua-proxy': { post } },
      backend: [{ host, url_pattern: '/b' }],
    })
    return {
      version: 3,
      endpoints: [
        proxy('/nan', setting('0/0')),
        proxy('/inf', setting('-1/0')),
        proxy(
          '/nested',
          "local p = response.load()\nlocal l = luaList.new()\nl:set(0, 0/0)\np:data():set('x', l)",
        ),
        proxy('/negotiated', setting('0/0'), { output_encoding: 'negotiate' }),
        proxy(
          '/collection',
          "local p = response.load()\nlocal l = luaList.new()\nl:set(0, 1/0)\np:data():set('collection', l)",
          { output_encoding: 'json-collection' },
        ),
        proxy('/yaml', `${setting('0/0')}\np:data():set('y', 1/0)\np:data():set('z', -1/0)`, {
          output_encoding: 'yaml',
        }),
        proxy('/finite', setting('1.5')),
        {
          endpoint: '/backend-post',
          backend: [
            { host, url_pattern: '/b', extra_config: { 'modifier/lua-backend': { post: setting('0/0') } } },
          ],
        },
      ],
    }
  })

  const get = async (path: string, accept?: string) => {
    const res = await fetch(`${gateway.url}${path}`, accept ? { headers: { accept } } : {})
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() }
  }

  test('JSON: 200, the JSON Content-Type and no body, from a proxy or a backend post, at any depth', async () => {
    for (const path of ['/nan', '/inf', '/nested', '/negotiated', '/collection', '/backend-post'])
      assert.deepEqual(
        await get(path),
        { status: 200, type: 'application/json; charset=utf-8', body: '' },
        path,
      )
    // a finite number the script sets renders as any
    assert.deepEqual(JSON.parse((await get('/finite')).body), { ok: true, x: 1.5 })
  })

  test("YAML writes them as goccy writes a float64; negotiate's YAML too", async () => {
    const { status, body } = await get('/yaml')
    assert.equal(status, 200)
    assert.equal(body, 'ok: true\nx: .nan\n"y": .inf\nz: -.inf\n')
    assert.equal((await get('/negotiated', 'application/x-yaml')).body, 'ok: true\nx: .nan\n')
  })
})
