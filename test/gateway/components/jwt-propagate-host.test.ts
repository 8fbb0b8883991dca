import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'
import { type Hs256Issuer, hs256Issuer } from './hs256-issuer.ts'

// krakend-jose propagates a claim with r.Header.Set(name, value): into Go's header map, even for
// Host, Content-Length and Transfer-Encoding, which Go's server keeps out of it (r.Host, r.ContentLength).
// Every later reader of that map sees the claim (the rate limit's key, Lua, lura's input_headers
// and so CEL's req_headers); the request's host and body framing do not change, and Go's client
// never writes these three from the map to a backend.
let issuer: Hs256Issuer

const perClient = (key: string) => ({
  every: '1h',
  client_max_rate: 1,
  client_capacity: 1,
  strategy: 'header',
  key,
})

const gateway = gatewayWith(
  (backend) => {
    const be = [{ host: [backend.origin], url_pattern: '/echo' }]
    const limited = (path: string, header: string, key: string) => ({
      endpoint: path,
      extra_config: {
        'auth/validator': issuer.validator({ propagate_claims: [['sub', header]] }),
        'qos/ratelimit/router': perClient(key),
      },
      backend: be,
    })
    return {
      version: 3,
      endpoints: [
        limited('/rl-host', 'Host', 'Host'),
        limited('/rl-lower-host', 'host', 'host'),
        limited('/rl-length', 'Content-Length', 'Content-Length'),
        limited('/rl-te', 'transfer-encoding', 'Transfer-Encoding'),
        {
          endpoint: '/cel-no-host',
          input_headers: ['Host'],
          extra_config: {
            'auth/validator': issuer.validator({ propagate_claims: [['sub', 'Host']] }),
            'validation/cel': [{ check_expr: "!('Host' in req_headers)" }],
          },
          backend: be,
        },
        {
          endpoint: '/cel-host',
          input_headers: ['*'],
          extra_config: {
            'auth/validator': issuer.validator({
              propagate_claims: [
                ['sub', 'Host'],
                ['sub', 'Transfer-Encoding'],
              ],
            }),
            'validation/cel': [
              { check_expr: "req_headers['Host'] == ['u1'] && 'Transfer-Encoding' in req_headers" },
            ],
          },
          backend: be,
        },
        {
          endpoint: '/lua',
          input_headers: ['X-Seen'],
          extra_config: {
            'auth/validator': issuer.validator({
              propagate_claims: [
                ['sub', 'Host'],
                ['sub', 'Content-Length'],
                ['sub', 'Transfer-Encoding'],
              ],
            }),
            'modifier/lua-endpoint': {
              pre: "local r = ctx.load(); r:headers('X-Seen', r:headers('Host') .. '|' .. r:headers('Content-Length') .. '|' .. r:headers('Transfer-Encoding'))",
            },
          },
          backend: be,
        },
        {
          endpoint: '/sized',
          method: 'POST',
          input_headers: ['*'],
          extra_config: {
            'auth/validator': issuer.validator({ propagate_claims: [['n', 'Content-Length']] }),
          },
          backend: be,
        },
        ...['Host', 'Content-Length', 'Transfer-Encoding', 'Trailer'].map((header) => ({
          endpoint: `/unwritten/${header}`,
          input_headers: ['*'],
          extra_config: { 'auth/validator': issuer.validator({ propagate_claims: [['v', header]] }) },
          backend: be,
        })),
        {
          endpoint: '/lua-sets-host',
          input_headers: ['X-Seen'],
          extra_config: {
            'modifier/lua-endpoint': {
              pre: "local r = ctx.load(); r:headers('Host', 'evil'); r:headers('X-Seen', r:headers('Host'))",
            },
            'qos/ratelimit/router': perClient('Host'),
          },
          backend: be,
        },
      ],
    }
  },
  {
    setUp: async () => {
      issuer = await hs256Issuer()
    },
    tearDown: async () => {
      await issuer?.remove()
    },
  },
)

const call = async (path: string, claims: Record<string, unknown> | undefined) => {
  const headers: Record<string, string> = { host: 'gw.example' }
  if (claims) headers.authorization = `Bearer ${await issuer.token(claims)}`
  const res = await send(gateway.url, { path, headers })
  return { status: res.status, headers: res.status === 200 ? JSON.parse(res.text).headers : undefined }
}

const post = async (claims: Record<string, unknown>) => {
  const before = gateway.backend.seen.length
  const res = await send(gateway.url, {
    path: '/sized',
    method: 'POST',
    headers: { authorization: `Bearer ${await issuer.token(claims)}`, 'content-type': 'text/plain' },
    body: 'abc',
  })
  return { status: res.status, seen: gateway.backend.seen.slice(before) }
}

describe('a claim propagated into Host, Content-Length or Transfer-Encoding', () => {
  for (const path of ['/rl-host', '/rl-lower-host', '/rl-length', '/rl-te'])
    test(`${path}: a per-client rate limit keyed on that header keeps one bucket per claim`, async () => {
      assert.equal((await call(path, { sub: 'u1' })).status, 200)
      assert.equal((await call(path, { sub: 'u1' })).status, 429)
      assert.equal((await call(path, { sub: 'u2' })).status, 200)
    })

  test("input_headers forwards the claimed Host into lura's request: a CEL check against it refuses", async () => {
    assert.equal((await call('/cel-no-host', { sub: 'u1' })).status, 500)
  })

  test("CEL's req_headers holds the claims; the backend gets its own Host and the client's X-Forwarded-Host", async () => {
    const seen = await call('/cel-host', { sub: 'u1' })
    assert.equal(seen.status, 200)
    assert.equal(seen.headers.host, new URL(gateway.backend.origin).host)
    assert.equal(seen.headers['x-forwarded-host'], 'gw.example')
    assert.equal(seen.headers['transfer-encoding'], undefined)
  })

  test('a router Lua script reads the claims with r:headers()', async () => {
    const seen = await call('/lua', { sub: 'u1' })
    assert.equal(seen.headers['x-seen'], 'u1|u1|u1')
  })

  test("a Host a Lua script sets is Go's header map only: X-Forwarded-Host stays, the rate limit keys on it", async () => {
    const first = await call('/lua-sets-host', undefined)
    assert.equal(first.headers['x-seen'], 'evil')
    assert.equal(first.headers['x-forwarded-host'], 'gw.example')
    assert.equal((await call('/lua-sets-host', undefined)).status, 429)
  })

  for (const header of ['Host', 'Content-Length', 'Transfer-Encoding', 'Trailer'])
    test(`a forwarded ${header} claim Go's transport refuses (a control byte) fails the call; it is never written`, async () => {
      for (const v of ['a\nb', 'a\u0000b', 'a\u007fb']) {
        const before = gateway.backend.seen.length
        assert.equal((await call(`/unwritten/${header}`, { v })).status, 500, JSON.stringify(v))
        assert.equal(gateway.backend.seen.length, before, JSON.stringify(v))
      }
      const fine = await call(`/unwritten/${header}`, { v: 'a\tb' })
      assert.equal(fine.status, 200)
      assert.equal(
        fine.headers[header.toLowerCase()],
        header === 'Host' ? new URL(gateway.backend.origin).host : undefined,
      )
    })

  test('a forwarded Content-Length claim sizes the body as lura does: its length, chunked, or no call', async () => {
    const same = await post({ n: 3 })
    assert.equal(same.status, 200)
    assert.equal(same.seen[0]?.headers['content-length'], '3')
    assert.equal(same.seen[0]?.body, 'abc')
    // strconv.Atoi fails (or the claim is missing): Go's request keeps an unknown size, sent chunked.
    for (const claims of [{ n: 'x' }, {}, { n: 0 }, { n: -1 }]) {
      const chunked = await post(claims)
      assert.equal(chunked.status, 200, JSON.stringify(claims))
      assert.equal(chunked.seen[0]?.headers['transfer-encoding'], 'chunked', JSON.stringify(claims))
      assert.equal(chunked.seen[0]?.body, 'abc')
    }
    // Another size: Go's client refuses the request (http: ContentLength=5 with Body length 3).
    const longer = await post({ n: 5 })
    assert.equal(longer.status, 500)
    assert.equal(longer.seen.length, 0)
  })
})
