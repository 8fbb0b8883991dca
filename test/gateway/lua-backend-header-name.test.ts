// A modifier/lua-backend script that leaves a header name that is no HTTP token in the request's
// map fails that backend call before anything is sent, as Go's transport refuses it (checked against
// KrakenD CE 2.13.8): `Get "<url>": net/http: invalid header field name "Bad Name"`, the name as the
// script wrote it (CanonicalMIMEHeaderKey leaves it), also an empty one and one set to an empty
// luaList. This runtime answered undici's `invalid header key`, and sent the call for the empty list.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'

const SCRIPTS: Array<[path: string, script: string, name: string]> = [
  ['/space', "r:headers('Bad Name', 'v')", 'Bad Name'],
  ['/lower', "r:headers('bad name', 'v')", 'bad name'],
  ['/utf8', "r:headers('B\\195\\164d', 'v')", 'B\u00e4d'],
  ['/empty', "r:headers('', 'v')", ''],
  ['/list', "r:headerList('Bad:Name', luaList.new())", 'Bad:Name'],
  ['/post', "r:headers('Bad Name', 'v'); r:method('POST')", 'Bad Name'],
]

describe('lua-backend: a header name Go cannot send fails the call', () => {
  const gateway = rawGatewayWith((raw) => ({
    version: 3,
    extra_config: { router: { return_error_msg: true } },
    endpoints: SCRIPTS.map(([path, script]) => ({
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

  test("Go's transport error, nothing sent", async () => {
    for (const [path, script, name] of SCRIPTS) {
      const res = await fetch(`${gateway.url}${path}`)
      const op = script.includes("'POST'") ? 'Post' : 'Get'
      assert.deepEqual(
        { status: res.status, body: await res.text() },
        {
          status: 500,
          body: `${op} "${gateway.raw.origin}/b": net/http: invalid header field name ${JSON.stringify(name)}`,
        },
        path,
      )
    }
    assert.equal(gateway.raw.requests.length, 0)
  })
})

// The same from lua-proxy (its request's map is what every backend call sends): the name is kept as
// written through the call, so the transport's error names it as Go's does (undici's own text before).
describe('lua-proxy: a header name Go cannot send fails the backend call', () => {
  const PROXY: Array<[path: string, script: string, name: string]> = [
    ['/space', "r:headers('Bad Name', 'v')", 'Bad Name'],
    ['/utf8', "r:headers('B\\195\\164d', 'v')", 'B\u00e4d'],
  ]
  const gateway = rawGatewayWith((raw) => ({
    version: 3,
    extra_config: { router: { return_error_msg: true } },
    endpoints: PROXY.map(([path, script]) => ({
      endpoint: path,
      extra_config: { 'modifier/lua-proxy': { pre: `local r = request.load(); ${script}` } },
      backend: [{ host: [raw.origin], url_pattern: '/b' }],
    })),
  }))

  test("Go's transport error, nothing sent", async () => {
    for (const [path, , name] of PROXY) {
      const res = await fetch(`${gateway.url}${path}`)
      assert.deepEqual(
        { status: res.status, body: await res.text() },
        {
          status: 500,
          body: `Get "${gateway.raw.origin}/b": net/http: invalid header field name ${JSON.stringify(name)}`,
        },
        path,
      )
    }
    assert.equal(gateway.raw.requests.length, 0)
  })
})
