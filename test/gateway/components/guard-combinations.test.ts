import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect as connectTcp } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { SignJWT } from 'jose'
import { gatewayWith } from '../gateway-fixture.ts'
import { send, sendH2 } from '../helpers.ts'

// Several guards on one endpoint, in the order krakend-ce chains them (bot detector, JWT, router
// Lua, rate limit, then the proxy's Lua, CEL and JSON schema).

const secret = new TextEncoder().encode('a-symmetric-secret-of-32-bytes!!')
const token = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).setExpirationTime('5m').sign(secret)

let dir: string
let jwksPath: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'guard-combinations-'))
  jwksPath = join(dir, 'jwks.json')
  const k = Buffer.from(secret).toString('base64url')
  await writeFile(jwksPath, JSON.stringify({ keys: [{ kty: 'oct', k, kid: 'k1', alg: 'HS256' }] }))
})
after(async () => {
  await rm(dir, { recursive: true, force: true })
})
const validator = (extra: Record<string, unknown>) => ({
  alg: 'HS256',
  jwk_local_path: jwksPath,
  disable_jwk_security: true,
  ...extra,
})

describe('auth/validator propagate_claims under a per-client rate limit keyed on the claim header', () => {
  const gateway = gatewayWith((backend) => {
    const limit = { client_max_rate: 1, client_capacity: 1, strategy: 'header' }
    return {
      version: 3,
      endpoints: [
        {
          endpoint: '/user',
          input_headers: ['X-User'],
          extra_config: {
            'auth/validator': validator({ propagate_claims: [['sub', 'X-User']] }),
            'qos/ratelimit/router': { ...limit, key: 'X-User' },
          },
          backend: [{ host: [backend.origin], url_pattern: '/echo' }],
        },
        {
          // The claim's header is not forwarded to the backend: the limiter still reads it.
          endpoint: '/tenant',
          extra_config: {
            'auth/validator': validator({
              propagate_claims: [['org.id', 'X-Org']],
              propagate_claims_preserve_array: true,
            }),
            'qos/ratelimit/router': { ...limit, key: 'x-org' },
          },
          backend: [{ host: [backend.origin], url_pattern: '/echo' }],
        },
        {
          endpoint: '/ip',
          extra_config: {
            'auth/validator': validator({ propagate_claims: [['ip', 'X-Client-Ip']] }),
            'qos/ratelimit/router': { ...limit, strategy: 'ip', key: 'X-Client-Ip' },
          },
          backend: [{ host: [backend.origin], url_pattern: '/echo' }],
        },
      ],
    }
  })

  const get = async (path: string, claims: Record<string, unknown>, headers: Record<string, string> = {}) =>
    (
      await send(gateway.url, {
        path,
        headers: { authorization: `Bearer ${await token(claims)}`, ...headers },
      })
    ).status

  test('a client cannot pick its own bucket: the claim replaces the header it sent (KrakenD sets it on the request)', async () => {
    assert.equal(await get('/user', { sub: 'alice' }, { 'x-user': 'mallory-1' }), 200)
    assert.equal(await get('/user', { sub: 'alice' }, { 'x-user': 'mallory-2' }), 429)
    assert.equal(await get('/user', { sub: 'alice' }), 429, 'no header of its own: still alice’s bucket')
    assert.equal(await get('/user', { sub: 'bob' }, { 'x-user': 'alice' }), 200, 'bob’s own bucket')
    const sent = gateway.backend.seen.at(-1)
    assert.equal(sent?.headers['x-user'], 'bob', 'the backend gets the claim, not the client’s value')
  })

  test('a claim not in input_headers still keys the limit (preserved arrays: the first value)', async () => {
    assert.equal(await get('/tenant', { org: { id: ['t1', 't2'] } }, { 'x-org': 'a' }), 200)
    assert.equal(await get('/tenant', { org: { id: ['t1', 't3'] } }, { 'x-org': 'b' }), 429)
    assert.equal(await get('/tenant', { org: { id: ['t4'] } }, { 'x-org': 't1' }), 200)
    assert.equal(gateway.backend.seen.at(-1)?.headers['x-org'], undefined, 'not forwarded')
  })

  test('strategy ip with a key header reads the propagated claim', async () => {
    assert.equal(await get('/ip', { ip: '10.0.0.1' }, { 'x-client-ip': '10.9.9.1' }), 200)
    assert.equal(await get('/ip', { ip: '10.0.0.1' }, { 'x-client-ip': '10.9.9.2' }), 429)
  })
})

describe('{JWT.claim} params of a claim the token lacks: lura has no such param, only the URL keeps a placeholder', () => {
  const gateway = gatewayWith((backend) => ({
    version: 3,
    endpoints: [
      {
        endpoint: '/limited',
        extra_config: {
          'auth/validator': validator({}),
          'qos/ratelimit/router': {
            client_max_rate: 1,
            client_capacity: 1,
            strategy: 'param',
            key: 'JWT.sub',
          },
        },
        backend: [{ host: [backend.origin], url_pattern: '/echo/{JWT.sub}' }],
      },
      {
        endpoint: '/cel',
        extra_config: {
          'auth/validator': validator({}),
          'validation/cel': [{ check_expr: 'size(req_params) > 0' }],
        },
        backend: [{ host: [backend.origin], url_pattern: '/echo/{JWT.sub}' }],
      },
      {
        endpoint: '/proxy-lua',
        extra_config: {
          'auth/validator': validator({}),
          'modifier/lua-proxy': {
            pre: "local r = request.load(); if r:params('JWT.sub') == '' then custom_error('no sub', 401) end",
          },
        },
        backend: [{ host: [backend.origin], url_pattern: '/echo/{JWT.sub}' }],
      },
      {
        endpoint: '/router-lua',
        extra_config: {
          'auth/validator': validator({}),
          'modifier/lua-endpoint': {
            pre: "local r = ctx.load(); if r:params('JWT.role') == 'banned' then custom_error('banned', 403) end",
          },
        },
        backend: [{ host: [backend.origin], url_pattern: '/echo/{JWT.role}' }],
      },
    ],
  }))
  const get = async (path: string, claims: Record<string, unknown>) =>
    (await send(gateway.url, { path, headers: { authorization: `Bearer ${await token(claims)}` } })).status

  test('a per-client limit keyed on the claim answers 429 without it (not one shared bucket)', async () => {
    assert.equal(await get('/limited', { n: 1 }), 429)
    assert.equal(await get('/limited', { n: 2 }), 429)
    assert.equal(await get('/limited', { sub: 'alice' }), 200)
    assert.equal(gateway.backend.seen.at(-1)?.url, '/echo/alice')
  })

  test('validation/cel req_params and a proxy Lua script do not see the placeholder', async () => {
    assert.equal(await get('/cel', { n: 1 }), 500)
    assert.equal(await get('/cel', { sub: 'alice' }), 200)
    const before = gateway.backend.seen.length
    assert.equal(await get('/proxy-lua', { n: 1 }), 401)
    assert.equal(gateway.backend.seen.length, before, 'refused before the backend')
    assert.equal(await get('/proxy-lua', { sub: 'bob' }), 200)
  })

  test('router Lua sees the claims krakend-jose appended to gin’s params; the URL keeps the placeholder', async () => {
    assert.equal(await get('/router-lua', { role: 'banned' }), 403)
    assert.equal(await get('/router-lua', { role: 'user' }), 200)
    assert.equal(await get('/router-lua', { sub: 'x' }), 200)
    assert.equal(gateway.backend.seen.at(-1)?.url, '/echo/%7B%7B.JWT.role%7D%7D')
  })
})

describe('the guards that never read the body answer before it is read, as in KrakenD', () => {
  const gateway = gatewayWith((backend) => ({
    version: 3,
    use_h2c: true,
    extra_config: { router: { max_payload: 16 } },
    endpoints: [
      {
        endpoint: '/a',
        method: 'POST',
        extra_config: {
          'security/bot-detector': { deny: ['bot'] },
          'auth/validator': validator({}),
          'qos/ratelimit/router': { client_max_rate: 1, strategy: 'header', key: 'X-Key' },
          'validation/json-schema': { type: 'object', required: ['n'] },
        },
        backend: [{ host: [backend.origin], url_pattern: '/echo' }],
      },
    ],
  }))

  /** Requests written on one connection; the status line of each answer. */
  const pipelined = async (requests: string[]): Promise<string[]> => {
    const { hostname, port } = new URL(gateway.url)
    const socket = connectTcp(Number(port), hostname)
    socket.write(requests.join(''))
    const chunks: Buffer[] = []
    for await (const chunk of socket) chunks.push(chunk as Buffer)
    return [
      ...Buffer.concat(chunks)
        .toString('latin1')
        .matchAll(/HTTP\/1\.1 (\d{3})/g),
    ].map((m) => m[1] as string)
  }
  const post = (body: string, headers: string[], close = true) =>
    `${['POST /a HTTP/1.1', 'Host: gw.example', ...headers, `Content-Length: ${body.length}`, ...(close ? ['Connection: close'] : [])].join('\r\n')}\r\n\r\n${body}`
  const big = JSON.stringify({ n: 'x'.repeat(100) })

  test('a body over router.max_payload gets the bot detector’s 403, the JWT’s 401, the rate limit’s 429', async () => {
    const valid = `Authorization: Bearer ${await token({ sub: 'a' })}`
    assert.deepEqual(await pipelined([post(big, ['User-Agent: bot', valid, 'X-Key: k'])]), ['403'])
    assert.deepEqual(await pipelined([post(big, [])]), ['401'])
    assert.deepEqual(await pipelined([post(big, [valid])]), ['429'], 'no X-Key: no bucket')
    assert.deepEqual(await pipelined([post(big, [valid, 'X-Key: k1'])]), ['413'], 'admitted: then the body')
    assert.deepEqual(await pipelined([post('{}', [valid, 'X-Key: k2'])]), ['400'], 'the schema reads it')
    const h2 = await sendH2(gateway.url, { method: 'POST', path: '/a', body: big })
    assert.equal(h2.status, 401, 'over h2c too')
    assert.equal(gateway.backend.seen.length, 0)
  })

  test('the connection goes on after an answer that left the body unread', async () => {
    const valid = `Authorization: Bearer ${await token({ sub: 'a' })}`
    const statuses = await pipelined([post(big, [], false), post('{"n":1}', [valid, 'X-Key: k3'])])
    assert.deepEqual(statuses, ['401', '200'])
  })
})

describe('an h2c body that ends empty while the JWT is checked is read as empty, as in KrakenD', () => {
  // A HEADERS frame without END_STREAM, then an empty DATA frame with it: node:http2 ended the
  // stream's body during the validator's await, before the endpoint read it whole (Lua, several
  // concurrent calls). KrakenD CE (2.13.8 build, use_h2c) answers 200 and calls the backend with an
  // empty body; the gateway waited for an end already past until the client gave up.
  const gateway = gatewayWith((backend) => ({
    version: 3,
    use_h2c: true,
    endpoints: [
      {
        endpoint: '/lua',
        method: 'POST',
        extra_config: {
          'auth/validator': validator({}),
          'modifier/lua-proxy': { pre: "local r = request.load(); r:headers('X-Px', 'x')" },
        },
        backend: [{ host: [backend.origin], url_pattern: '/echo' }],
      },
      {
        endpoint: '/calls',
        method: 'POST',
        concurrent_calls: 2,
        extra_config: { 'auth/validator': validator({}) },
        backend: [{ host: [backend.origin], url_pattern: '/echo' }],
      },
    ],
  }))

  test('POST with an empty DATA frame reaches the backend with an empty body', {
    timeout: 10_000,
  }, async () => {
    const authorization = `Bearer ${await token({ sub: 'a' })}`
    for (const path of ['/lua', '/calls']) {
      gateway.backend.seen.length = 0
      const res = await sendH2(gateway.url, { method: 'POST', path, headers: { authorization }, body: '' })
      assert.equal(res.status, 200, path)
      assert.ok(gateway.backend.seen.length > 0, path)
      for (const seen of gateway.backend.seen) assert.equal(seen.body, '', path)
    }
  })
})

describe('a claim propagated to a framing header changes neither the body read nor the host', () => {
  const gateway = gatewayWith((backend) => ({
    version: 3,
    endpoints: [
      {
        endpoint: '/a',
        method: 'POST',
        input_headers: ['X-User'],
        extra_config: {
          'auth/validator': validator({
            propagate_claims: [
              ['n', 'Content-Length'],
              ['sub', 'X-User'],
            ],
          }),
        },
        backend: [{ host: [backend.origin], url_pattern: '/echo' }],
      },
    ],
  }))

  test('the body the client framed reaches the backend whole', async () => {
    const res = await send(gateway.url, {
      method: 'POST',
      path: '/a',
      headers: { authorization: `Bearer ${await token({ sub: 'alice', n: '0' })}` },
      body: '{"whole":true}',
    })
    assert.equal(res.status, 200)
    assert.equal(gateway.backend.seen.at(-1)?.body, '{"whole":true}')
    assert.equal(gateway.backend.seen.at(-1)?.headers['x-user'], 'alice')
  })
})

describe("endpoint CEL reads the method and path a proxy-level Lua script set (lura's proxy request)", () => {
  const gateway = gatewayWith((backend) => ({
    version: 3,
    extra_config: { router: { return_error_msg: true } },
    endpoints: [
      {
        endpoint: '/method',
        method: 'POST',
        input_headers: ['X-Override'],
        extra_config: {
          'modifier/lua-proxy': {
            pre: "local r = request.load(); local o = r:headers('X-Override'); if o ~= '' then r:method(o) end",
          },
          'validation/cel': [{ check_expr: "req_method != 'DELETE'" }],
        },
        backend: [{ host: [backend.origin], url_pattern: '/echo' }],
      },
      {
        endpoint: '/path',
        extra_config: {
          'modifier/lua-proxy': { pre: "local r = request.load(); r:path('/admin' .. r:path())" },
          'validation/cel': [{ check_expr: "!req_path.startsWith('/admin')" }],
        },
        backend: [{ host: [backend.origin], url_pattern: '/echo' }],
      },
    ],
  }))

  test('a method set to DELETE and a path under /admin are refused, as KrakenD refuses them (500 by the evaluator)', async () => {
    const method = await send(gateway.url, {
      method: 'POST',
      path: '/method',
      headers: { 'x-override': 'DELETE', 'content-type': 'application/json' },
      body: '{}',
    })
    assert.equal(method.status, 500)
    assert.equal(method.text, 'request aborted by evaluator #0')
    const path = await send(gateway.url, { path: '/path' })
    assert.equal(path.status, 500)
    assert.equal(path.text, 'request aborted by evaluator #0')
    assert.equal(gateway.backend.seen.length, 0)
    const plain = await send(gateway.url, {
      method: 'POST',
      path: '/method',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    assert.equal(plain.status, 200, plain.text)
  })
})
