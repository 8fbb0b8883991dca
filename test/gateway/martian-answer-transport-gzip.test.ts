// An answer-side header.RegexFilter reads res.Request.Header, the map the request was sent from. Go's
// transport writes its own `Accept-Encoding: gzip` on the wire only, so that map has none: a filter on
// it does not match, and KrakenD answers the backend's 200 (found by the differential fuzz of the
// martian modifiers against KrakenD CE, seeds 1226, 1357 and 308: ours matched the transport's gzip and
// failed the call with a status.Modifier's 404 or 302, or answered a body.Modifier's body).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'

const onGzip = (modifier: Record<string, unknown>) => ({
  'header.RegexFilter': { scope: ['response'], header: 'Accept-Encoding', regex: 'gzip', modifier },
})
const status404 = { 'status.Modifier': { scope: ['response'], statusCode: 404 } }
const replaced = {
  'body.Modifier': {
    scope: ['response'],
    contentType: 'application/json',
    body: Buffer.from('{"m":1}').toString('base64'),
  },
}
const marked = { 'header.Modifier': { scope: ['response'], name: 'X-Matched', value: 'yes' } }

describe("martian's answer side and the transport's Accept-Encoding", () => {
  const gateway = rawGatewayWith((raw) => {
    const endpoint = (
      path: string,
      martian: Record<string, unknown>,
      more: Record<string, unknown> = {},
    ) => ({
      endpoint: path,
      ...more,
      backend: [
        {
          host: [raw.origin],
          url_pattern: '/b',
          ...(more.output_encoding === 'no-op' ? { encoding: 'no-op' } : {}),
          extra_config: { 'modifier/martian': martian },
        },
      ],
    })
    return {
      version: 3,
      endpoints: [
        endpoint('/status', onGzip(status404)),
        endpoint('/body', onGzip(replaced)),
        endpoint('/mark', onGzip(marked), { output_encoding: 'no-op' }),
        endpoint('/forwarded', onGzip(replaced), { input_headers: ['Accept-Encoding'] }),
        endpoint('/set', {
          'fifo.Group': {
            scope: ['request', 'response'],
            modifiers: [
              { 'header.Modifier': { scope: ['request'], name: 'Accept-Encoding', value: 'gzip' } },
              onGzip(replaced),
            ],
          },
        }),
      ],
    }
  })

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, { headers: { 'accept-encoding': 'identity', ...headers } })

  test('a filter on it does not match: no status or body change, the backend still got gzip asked', async () => {
    const status = await get('/status')
    assert.equal(status.status, 200)
    assert.deepEqual(await status.json(), { ok: true })
    assert.deepEqual(gateway.raw.lines('accept-encoding'), ['Accept-Encoding: gzip'])
    const body = await get('/body')
    assert.equal(body.status, 200)
    assert.deepEqual(await body.json(), { ok: true })
    const mark = await get('/mark')
    assert.equal(mark.status, 200)
    assert.equal(mark.headers.get('x-matched'), null)
    await mark.arrayBuffer()
  })

  test("a gzip the client forwarded or a request modifier set is the map's: the filter matches", async () => {
    for (const [path, headers] of [
      ['/forwarded', { 'accept-encoding': 'gzip' }],
      ['/set', {}],
    ] as const) {
      const res = await get(path, headers)
      assert.equal(res.status, 200, path)
      assert.deepEqual(await res.json(), { m: 1 }, path)
    }
  })
})
