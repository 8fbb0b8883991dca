// A Go panic in a modifier/lua-backend script (krakend-lua's ToError slicing `a:-5` out of range) runs
// in lura's proxy stack, inside gin's handler: KrakenD CE 2.13.8 answers gin's Recovery 500 — X-KrakenD
// only, no X-KrakenD-Completed, no body — on a single-backend endpoint, and its process dies when the
// backend runs beside others (a goroutine of the merger); here the merged request gets the same 500
// and the node serves on. This runtime answered a failed backend instead (X-KrakenD-Completed: false,
// and on the merge a 200 with the other backend's data). A URL a script sets that Go's url.Parse refuses
// is such a panic too: krakend-lua leaves the request a nil URL, which lura's HTTP proxy reads.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'

const PANIC = "error('a:-5', 0)"

describe('lua-backend: a Go panic in the script', () => {
  const gateway = rawGatewayWith((raw) => {
    const panicking = {
      host: [raw.origin],
      url_pattern: '/b',
      group: 'a',
      extra_config: { 'modifier/lua-backend': { pre: PANIC } },
    }
    return {
      version: 3,
      endpoints: [
        { endpoint: '/single', backend: [{ ...panicking, group: undefined }] },
        { endpoint: '/merged', backend: [panicking, { host: [raw.origin], url_pattern: '/b', group: 'b' }] },
        { endpoint: '/fine', backend: [{ host: [raw.origin], url_pattern: '/b' }] },
        // krakend-lua drops url.Parse's error: lura's HTTP proxy reads the nil URL (sweep53, session 53)
        ...['http://[::1', 'http://a b/', '%zz', 'ftp://x/%zz'].map((url, i) => ({
          endpoint: `/url${i}`,
          backend: [
            {
              host: [raw.origin],
              url_pattern: '/b',
              extra_config: { 'modifier/lua-backend': { pre: `request.load():url(${JSON.stringify(url)})` } },
            },
          ],
        })),
      ],
    }
  })

  for (const path of ['/single', '/merged', '/url0', '/url1', '/url2', '/url3'])
    test(`${path}: gin's Recovery 500, X-KrakenD only, no body`, async () => {
      const res = await fetch(`${gateway.url}${path}`)
      assert.equal(res.status, 500)
      assert.equal(await res.text(), '')
      assert.equal(res.headers.get('x-krakend'), 'Version 2.13.8')
      assert.equal(res.headers.get('x-krakend-completed'), null)
      assert.equal(res.headers.get('content-type'), null)
      const next = await fetch(`${gateway.url}/fine`)
      assert.deepEqual({ status: next.status, body: await next.json() }, { status: 200, body: { ok: true } })
    })
})
