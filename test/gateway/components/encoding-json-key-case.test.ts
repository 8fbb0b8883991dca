import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { SignJWT } from 'jose'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

// krakend-jose, the bloom filter's revoker, krakend-botdetector, krakend-cel and lura's GraphQL
// options re-encode their namespace with json.Marshal (sorted keys) and decode it into a struct, so
// a key in another case sets the field (the playground's revoker is written "N", "P", "TTL"), and of
// two spellings the last in byte order wins: "check_expr" over "Check_Expr". The other spelling is
// then dropped without a word (KrakenD 2.13.8 let User-Agent BadBot through with "Deny": ["BadBot"]
// beside "deny": ["Other"]): refused here when it sets something else.

const secret = new TextEncoder().encode('a-symmetric-secret-of-32-bytes!!')
const token = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).setExpirationTime('5m').sign(secret)

describe('encoding/json namespaces read their keys in any case, as KrakenD decodes them', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'key-case-'))
    jwks = join(dir, 'jwks.json')
    const k = Buffer.from(secret).toString('base64url')
    await writeFile(jwks, JSON.stringify({ keys: [{ kty: 'oct', k, kid: 'k1', alg: 'HS256' }] }))
  })
  let jwks: string
  const gateway = gatewayWith((backend) => {
    const endpoint = (path: string, extra: Record<string, unknown>) => ({
      endpoint: path,
      extra_config: extra,
      backend: [{ host: [backend.origin], url_pattern: '/echo' }],
    })
    return {
      version: 3,
      extra_config: {
        'auth/revoker': { N: 1000, P: 0.001, hash_name: 'optimal', TTL: 60, port: 0, Token_Keys: ['jti'] },
      },
      endpoints: [
        endpoint('/admin', {
          'auth/validator': {
            alg: 'HS256',
            jwk_local_path: jwks,
            disable_jwk_security: true,
            Roles: ['admin'],
            ROLES_KEY: 'role',
          },
        }),
        endpoint('/both', {
          'validation/cel': [{ Check_Expr: "req_method == 'POST'", check_expr: "req_method == 'POST'" }],
        }),
        endpoint('/bots', { 'security/bot-detector': { Deny: ['curl/8.0'] } }),
        endpoint('/upper', { 'validation/cel': [{ CHECK_EXPR: "req_method == 'POST'" }] }),
      ],
    }
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  test('auth/validator "Roles" / "ROLES_KEY" guard the endpoint', async () => {
    const user = await send(gateway.url, {
      path: '/admin',
      headers: { authorization: `Bearer ${await token({ role: ['user'] })}` },
    })
    assert.equal(user.status, 403)
    const admin = await send(gateway.url, {
      path: '/admin',
      headers: { authorization: `Bearer ${await token({ role: ['admin'] })}` },
    })
    assert.equal(admin.status, 200)
  })

  test('auth/revoker "N", "P", "TTL", "Token_Keys" run the filter: a revoked jti gets 401', async () => {
    const call = async (jti: string) =>
      (
        await send(gateway.url, {
          path: '/admin',
          headers: { authorization: `Bearer ${await token({ role: ['admin'], jti })}` },
        })
      ).status
    const revocations = gateway.running.gateway.revocations
    assert.ok(revocations)
    assert.equal(await call('abc'), 200)
    revocations.add(new TextEncoder().encode('jti-abc'))
    assert.equal(await call('abc'), 401)
    assert.equal(await call('abd'), 200)
  })

  test('security/bot-detector "Deny" refuses the agent', async () => {
    assert.equal(
      (await send(gateway.url, { path: '/bots', headers: { 'user-agent': 'curl/8.0' } })).status,
      403,
    )
    assert.equal(
      (await send(gateway.url, { path: '/bots', headers: { 'user-agent': 'curl/8.1' } })).status,
      200,
    )
  })

  test('validation/cel: "Check_Expr" beside the same "check_expr", or "CHECK_EXPR" alone, is the check', async () => {
    const seen = gateway.backend.seen.length
    assert.equal((await send(gateway.url, { path: '/both' })).status, 500)
    assert.equal((await send(gateway.url, { path: '/upper' })).status, 500)
    assert.equal(gateway.backend.seen.length, seen)
  })
})

describe('two spellings of one setting in an encoding/json namespace', () => {
  const check = (extra: Record<string, unknown>) =>
    validateGatewayConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/a',
          extra_config: extra,
          backend: [{ host: ['http://127.0.0.1:8080'], url_pattern: '/' }],
        },
      ],
    })
  const errors = (extra: Record<string, unknown>) =>
    check(extra).errors.map((e) => `${e.location?.path}: ${e.message}`)

  test('a dropped spelling that sets something else is refused, at that key', () => {
    assert.deepEqual(errors({ 'security/bot-detector': { Deny: ['BadBot'], deny: ['Other'] } }), [
      'endpoints[0].extra_config.security/bot-detector.Deny: "Deny" and "deny" spell one setting of "security/bot-detector": KrakenD decodes it with Go\'s encoding/json, which reads only "deny" (the last in byte order) and silently drops "Deny"',
    ])
    assert.deepEqual(
      errors({
        'validation/cel': [{ CHECK_EXPR: "req_method == 'POST'", check_expr: "req_method == 'GET'" }],
      }),
      [
        'endpoints[0].extra_config.validation/cel[0].CHECK_EXPR: "CHECK_EXPR" and "check_expr" spell one setting of "validation/cel": KrakenD decodes it with Go\'s encoding/json, which reads only "check_expr" (the last in byte order) and silently drops "CHECK_EXPR"',
      ],
    )
  })

  test("a dropped spelling of another type than the setting, which fails KrakenD's whole decoding, is refused", () => {
    const validator = { alg: 'HS256', jwk_local_path: '/k.json', disable_jwk_security: true }
    assert.deepEqual(errors({ 'auth/validator': { ...validator, Roles: {}, roles: ['admin'] } }), [
      'endpoints[0].extra_config.auth/validator.Roles: "Roles" spells "roles" and holds {}, where the setting takes a list: KrakenD decodes "auth/validator" with Go\'s encoding/json, which fails on it: KrakenD then answers 401 to every request',
    ])
    // The kept spelling null: the kind is the one the parser reads.
    assert.equal(errors({ 'auth/validator': { ...validator, ROLES: '', roles: null } }).length, 1)
    assert.equal(errors({ 'auth/validator': { ...validator, Cache: '', cache: false } }).length, 1)
    assert.deepEqual(
      errors({ 'security/bot-detector': { deny: ['BadBot'], patterns: {}, patternſ: [] } }).map((e) =>
        e.slice(0, e.indexOf(':')),
      ),
      ['endpoints[0].extra_config.security/bot-detector.patterns'],
    )
    // krakend-cel's fields are strings; KrakenD 2.13.8 ran this endpoint without its check.
    assert.deepEqual(errors({ 'validation/cel': [{ Check_Expr: [], check_expr: "req_method == 'POST'" }] }), [
      'endpoints[0].extra_config.validation/cel[0].Check_Expr: "Check_Expr" spells "check_expr" and holds [], not a string: krakend-cel cannot decode the definitions then, and KrakenD silently skips every expression of this "validation/cel"',
    ])
  })

  test('the same value twice, or an empty dropped one, runs', () => {
    assert.deepEqual(errors({ 'security/bot-detector': { DENY: [], deny: ['BadBot'] } }), [])
    assert.deepEqual(errors({ 'security/bot-detector': { Deny: ['BadBot'], deny: ['BadBot'] } }), [])
    assert.deepEqual(errors({ 'security/bot-detector': { DENY: null, deny: ['BadBot'] } }), [])
    assert.deepEqual(
      errors({ 'validation/cel': [{ CHECK_EXPR: '', check_expr: "req_method == 'POST'" }] }),
      [],
    )
  })
})
