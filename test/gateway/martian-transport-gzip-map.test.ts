// Go's transport adds its `Accept-Encoding: gzip` below martian, only when the header map it is handed
// has no Accept-Encoding and no Range: the modifiers and filters never see that line (found by the
// differential fuzz of the martian modifiers against KrakenD CE, which sent `gzip` beside a header.Append's
// value, matched filters on it, and kept it after a Range a modifier set).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'
import { rawRequest, sendRaw } from './helpers.ts'

const scope = ['request']
const mark = (value: string) => ({ 'header.Modifier': { scope, name: 'X-Matched', value } })

describe("martian and the transport's Accept-Encoding", () => {
  const gateway = rawGatewayWith((raw) => {
    const endpoint = (
      path: string,
      martian: Record<string, unknown>,
      more: Record<string, unknown> = {},
    ) => ({
      endpoint: path,
      ...more,
      backend: [{ host: [raw.origin], url_pattern: '/b', extra_config: { 'modifier/martian': martian } }],
    })
    return {
      version: 3,
      endpoints: [
        endpoint('/append', { 'header.Append': { scope, name: 'Accept-Encoding', value: 'x' } }),
        endpoint(
          '/append-forwarded',
          { 'header.Append': { scope, name: 'Accept-Encoding', value: 'x' } },
          { input_headers: ['Accept-Encoding'] },
        ),
        endpoint('/filter', {
          'header.Filter': { scope, name: 'Accept-Encoding', value: 'gzip', modifier: mark('filter') },
        }),
        endpoint('/regex', {
          'header.RegexFilter': {
            scope,
            header: 'Accept-Encoding',
            regex: 'gzip',
            modifier: mark('regex'),
          },
        }),
        endpoint('/copy', { 'header.Copy': { scope, from: 'Accept-Encoding', to: 'X-Copy' } }),
        endpoint('/range', { 'header.Modifier': { scope, name: 'Range', value: 'bytes=0-3' } }),
        endpoint('/set-gzip', { 'header.Modifier': { scope, name: 'Accept-Encoding', value: 'gzip' } }),
        endpoint(
          '/lua-gzip',
          { 'header.Modifier': { scope, name: 'X-A', value: 'v' } },
          {
            extra_config: {
              'modifier/lua-proxy': { pre: "request.load():headers('Accept-Encoding', 'gzip')" },
            },
          },
        ),
      ],
    }
  })

  const get = async (path: string, ...lines: string[]) => {
    const { status } = await sendRaw(
      gateway.url,
      rawRequest([`GET ${path} HTTP/1.1`, 'Host: gw.example', ...lines]),
    )
    assert.equal(status, 200)
  }
  /** The header names of the last request, in the order written. */
  const names = () =>
    gateway.raw
      .head()
      .split('\r\n')
      .slice(1)
      .map((line) => line.slice(0, line.indexOf(':')))

  test("a header.Append sends only its value; a client's forwarded gzip stays beside it", async () => {
    await get('/append')
    assert.deepEqual(gateway.raw.lines('accept-encoding'), ['Accept-Encoding: x'])
    await get('/append-forwarded', 'Accept-Encoding: gzip')
    assert.deepEqual(gateway.raw.lines('accept-encoding'), ['Accept-Encoding: gzip', 'Accept-Encoding: x'])
  })

  test('filters and header.Copy do not see it; the transport still sends it', async () => {
    for (const path of ['/filter', '/regex']) {
      await get(path)
      assert.deepEqual(gateway.raw.lines('x-matched'), [], path)
      assert.deepEqual(gateway.raw.lines('accept-encoding'), ['Accept-Encoding: gzip'], path)
    }
    await get('/copy')
    assert.deepEqual(gateway.raw.lines('x-copy'), ['X-Copy: '])
  })

  test('a Range a modifier set drops it', async () => {
    await get('/range')
    assert.deepEqual(gateway.raw.lines('range'), ['Range: bytes=0-3'])
    assert.deepEqual(gateway.raw.lines('accept-encoding'), [])
  })

  test("a gzip a modifier or a Lua script set is the map's, written in its sorted place", async () => {
    for (const path of ['/set-gzip', '/lua-gzip']) {
      await get(path)
      assert.deepEqual(gateway.raw.lines('accept-encoding'), ['Accept-Encoding: gzip'], path)
      const order = names()
      assert.ok(order.indexOf('Accept-Encoding') < order.indexOf('X-Forwarded-For'), `${path}: ${order}`)
    }
  })
})
