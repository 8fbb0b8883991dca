// A modifier/lua-backend script's URL whose scheme is not http or https fails the call as Go's
// transport does (checked against KrakenD CE 2.13.8): `Get "ftp://x/y": unsupported protocol scheme
// "ftp"`, the scheme "" for a URL without one (`/rel`, `nonsense`, ``), the method the script set
// naming the call. This runtime answered undici's `Invalid URL protocol: ...` for ftp and
// `unsupported protocol scheme in "/rel"` for the rest.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'

const CASES: Array<[path: string, script: string, message: string]> = [
  ['/ftp', "r:url('ftp://x/y')", 'Get "ftp://x/y": unsupported protocol scheme "ftp"'],
  ['/post', "r:url('FTP://x/y'); r:method('POST')", 'Post "FTP://x/y": unsupported protocol scheme "ftp"'],
  ['/relative', "r:url('/rel')", 'Get "/rel": unsupported protocol scheme ""'],
  ['/word', "r:url('nonsense')", 'Get "nonsense": unsupported protocol scheme ""'],
  ['/empty', "r:url('')", 'Get "": unsupported protocol scheme ""'],
]

describe('lua-backend: a URL Go cannot call', () => {
  const gateway = rawGatewayWith((raw) => ({
    version: 3,
    extra_config: { router: { return_error_msg: true } },
    endpoints: CASES.map(([path, script]) => ({
      endpoint: path,
      backend: [
        {
          host: [raw.origin],
          url_pattern: '/b',
          extra_config: { 'modifier/lua-backend': { pre: `local r = request.load(); ${script}` } },
        },
      ],
    })),
  }))

  test("Go's unsupported protocol scheme, nothing sent", async () => {
    for (const [path, , message] of CASES) {
      const res = await fetch(`${gateway.url}${path}`)
      assert.deepEqual({ status: res.status, body: await res.text() }, { status: 500, body: message }, path)
    }
    assert.equal(gateway.raw.requests.length, 0)
  })
})
