import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

// auth/signer among the other guards: krakend-jose's signer answers in place of the endpoint
// handler (after the bot detector and the JWT validator, around lura's proxy).

let dir: string
let jwksPath: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'signer-guards-'))
  jwksPath = join(dir, 'jwks.json')
  const k = Buffer.from('a-symmetric-secret-of-32-bytes!!').toString('base64url')
  await writeFile(jwksPath, JSON.stringify({ keys: [{ kty: 'oct', k, kid: 'k1', alg: 'HS256' }] }))
})
after(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('auth/signer answers in place of the endpoint handler: router-level guards KrakenD skips there are refused', () => {
  const problems = (extra: Record<string, unknown>) =>
    validateGatewayConfig({
      version: 3,
      name: 'x',
      endpoints: [
        {
          endpoint: '/token',
          extra_config: {
            'auth/signer': {
              alg: 'HS256',
              kid: 'k1',
              keys_to_sign: ['t'],
              jwk_local_path: 'keys.json',
              disable_jwk_security: true,
            },
            ...extra,
          },
          backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/t' }],
        },
      ],
    }).errors.map((e) => `${e.location?.path}: ${e.message}`)

  test('qos/ratelimit/router and modifier/lua-endpoint are errors at their paths; proxy-level ones are not', () => {
    assert.deepEqual(problems({ 'qos/ratelimit/router': { max_rate: 1 } }), [
      'endpoints[0].extra_config.qos/ratelimit/router: "qos/ratelimit/router" on an endpoint with "auth/signer": KrakenD\'s signer answers in place of the endpoint handler and never runs it',
    ])
    assert.deepEqual(problems({ 'modifier/lua-endpoint': { pre: 'print(1)' } }), [
      'endpoints[0].extra_config.modifier/lua-endpoint: "modifier/lua-endpoint" on an endpoint with "auth/signer": KrakenD\'s signer answers in place of the endpoint handler and never runs it',
    ])
    assert.deepEqual(problems({ 'modifier/lua-proxy': { pre: 'print(1)' } }), [])
    assert.deepEqual(problems({}), [])
  })
})

describe('auth/signer without its key answers 401 in place of the proxy’s checks, as KrakenD does', () => {
  const gateway = gatewayWith((backend) => ({
    version: 3,
    endpoints: [
      {
        endpoint: '/sign',
        method: 'POST',
        input_headers: ['X-Flag'],
        extra_config: {
          'auth/signer': {
            alg: 'HS256',
            kid: 'not-in-the-key-set',
            keys_to_sign: ['t'],
            jwk_local_path: jwksPath,
            disable_jwk_security: true,
          },
          'validation/cel': [{ check_expr: "!('X-Flag' in req_headers)" }],
          'validation/json-schema': { type: 'object', required: ['n'] },
        },
        backend: [{ host: [backend.origin], url_pattern: '/echo' }],
      },
    ],
  }))

  test('a body the schema refuses, or a request CEL refuses, still gets the signer’s 401', async () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      send(gateway.url, { method: 'POST', path: '/sign', body, headers })
    assert.equal((await post({})).status, 401)
    assert.equal((await post({ n: 1 }, { 'x-flag': '1' })).status, 401)
    assert.equal((await post({ n: 1 })).status, 401)
    assert.equal(gateway.backend.seen.length, 0)
  })
})

describe('auth/signer answers a refusal from inside the proxy with its own 400, no body (krakend-jose)', () => {
  const gateway = gatewayWith((backend) => {
    const signer = {
      alg: 'HS256',
      kid: 'k1',
      keys_to_sign: ['t'],
      jwk_local_path: jwksPath,
      disable_jwk_security: true,
    }
    return {
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        {
          endpoint: '/checked',
          method: 'POST',
          input_headers: ['X-Flag'],
          extra_config: {
            'auth/signer': signer,
            'validation/cel': [{ check_expr: "!('X-Flag' in req_headers)" }],
            'validation/json-schema': { type: 'object', required: ['n'] },
          },
          backend: [{ host: [backend.origin], url_pattern: '/echo' }],
        },
        {
          endpoint: '/scripted',
          method: 'POST',
          input_headers: ['X-Flag'],
          extra_config: {
            'auth/signer': signer,
            'modifier/lua-proxy': {
              pre: "local r = request.load(); if r:headers('X-Flag') == '1' then custom_error('no', 418) end",
              post: "local r = response.load(); if r:data():get('backend') == 'api' then custom_error('post', 418) end",
            },
          },
          backend: [{ host: [backend.origin], url_pattern: '/echo' }],
        },
      ],
    }
  })

  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await send(gateway.url, { method: 'POST', path, body, headers })
    return `${res.status} ${res.text}`
  }

  test('JSON schema, CEL and Lua (pre and post) refusals', async () => {
    assert.equal(await post('/checked', {}), '400 ', 'schema (was its 400 with the message)')
    assert.equal(await post('/checked', { n: 1 }, { 'x-flag': '1' }), '400 ', 'CEL (was 500)')
    assert.equal(await post('/scripted', { n: 1 }, { 'x-flag': '1' }), '400 ', 'Lua pre (was 418)')
    assert.equal(await post('/scripted', { n: 1 }), '400 ', 'Lua post (was 418)')
    assert.match(await post('/checked', { n: 1 }), /^200 \{/, 'the signer answers when nothing refuses')
  })
})
