// auth/validator and auth/signer checked against krakend-jose 2.12.3, go-auth0 2.0.4 and go-jose 3.0.5
// (what KrakenD CE 2.13.8 runs): tokens those libraries refuse, JWKS they cannot decode, and the
// exact values krakend-jose hands to backends.
import assert from 'node:assert/strict'
import { createHmac, createSign, KeyObject } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import {
  mustConfig,
  type Running,
  rawRequest,
  send,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from '../helpers.ts'

const secret = 'audit-symmetric-secret-of-32-byte'
const b64 = (text: string) => Buffer.from(text).toString('base64url')
/** An HS256 token over exactly these header and payload texts. */
const hs = (payload: string, header = '{"alg":"HS256","kid":"h"}') => {
  const input = `${b64(header)}.${b64(payload)}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600

const rsa = await generateKeyPair('RS256', { extractable: true })
const other = await generateKeyPair('RS256', { extractable: true })
const ecP384 = await generateKeyPair('ES384', { extractable: true })
const rsaToken = (key: CryptoKey, kid = 'k1') =>
  new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'RS256', kid }).setExpirationTime('5m').sign(key)

// The JWKS server: one route per JWKS variant, and a signer set whose kid appears later.
const sets: Record<string, { type: string; keys: unknown[] }> = {}
let signerSetFetches = 0
let critSetFetches = 0
let jwksServer: Server
let jwksBase: string
let dir: string
let backend: TestBackend
let gateway: Running

before(async () => {
  const pub = { ...(await exportJWK(rsa.publicKey)), kid: 'k1' }
  const otherPub = { ...(await exportJWK(other.publicKey)), kid: 'k1' }
  sets['/good'] = { type: 'application/json', keys: [pub] }
  sets['/crit'] = { type: 'application/json', keys: [pub] }
  sets['/text'] = { type: 'text/plain', keys: [pub] }
  sets['/dup'] = { type: 'application/jwk-set+json', keys: [pub, otherPub] }
  sets['/bad-key'] = { type: 'application/json', keys: [pub, { kty: 'XYZ', kid: 'x', k: 'AA' }] }
  sets['/signer'] = { type: 'application/json', keys: [{ kty: 'oct', kid: 'other', k: b64(secret) }] }
  jwksServer = createServer((req, res) => {
    if (req.url === '/signer') signerSetFetches += 1
    if (req.url === '/crit') critSetFetches += 1
    const set = sets[req.url ?? ''] ?? { type: 'application/json', keys: [] }
    res.writeHead(200, { 'content-type': set.type }).end(JSON.stringify({ keys: set.keys }))
  })
  jwksServer.listen(0, '127.0.0.1')
  await new Promise((resolve) => jwksServer.once('listening', resolve))
  jwksBase = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`

  dir = await mkdtemp(join(tmpdir(), 'gw-jwt-audit-'))
  await writeFile(join(dir, 'hs.json'), JSON.stringify({ keys: [{ kty: 'oct', kid: 'h', k: b64(secret) }] }))
  await writeFile(
    join(dir, 'signing.json'),
    JSON.stringify({
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'public-only' },
        { ...(await exportJWK(ecP384.privateKey)), kid: 'p384' },
      ],
    }),
  )
  backend = await startBackend('api', { '/session': { body: { token: { sub: 'alice' } } } })
  const host = [backend.origin]
  const local = (extra: Record<string, unknown> = {}) => ({
    'auth/validator': {
      alg: 'HS256',
      jwk_local_path: join(dir, 'hs.json'),
      disable_jwk_security: true,
      ...extra,
    },
  })
  const remote = (path: string) => ({
    'auth/validator': { alg: 'RS256', jwk_url: `${jwksBase}${path}`, disable_jwk_security: true },
  })
  const signer = (kid: string, alg: string, source: Record<string, unknown>) => ({
    'auth/signer': { alg, kid, keys_to_sign: ['token'], disable_jwk_security: true, ...source },
  })
  gateway = await startGateway(
    mustConfig({
      version: 3,
      name: 'jwt-audit',
      endpoints: [
        { endpoint: '/hs', extra_config: local(), backend: [{ host, url_pattern: '/echo/hs' }] },
        {
          endpoint: '/custom-header',
          extra_config: local({ auth_header_name: 'X-Token' }),
          backend: [{ host, url_pattern: '/echo/custom-header' }],
        },
        {
          endpoint: '/issuer',
          extra_config: local({ issuer: 'https://idp' }),
          backend: [{ host, url_pattern: '/echo/issuer' }],
        },
        {
          endpoint: '/propagate',
          input_headers: ['X-N', 'X-Arr', 'X-Obj', 'X-List', 'X-Gone'],
          extra_config: local({
            propagate_claims: [
              ['n', 'X-N'],
              ['arr', 'X-Arr'],
              ['obj', 'X-Obj'],
            ],
          }),
          backend: [{ host, url_pattern: '/echo/propagate' }],
        },
        {
          endpoint: '/propagate-arrays',
          input_headers: ['X-List', 'X-Gone'],
          extra_config: local({
            propagate_claims: [
              ['list', 'X-List'],
              ['empty', 'X-Gone'],
            ],
            propagate_claims_preserve_array: true,
          }),
          backend: [{ host, url_pattern: '/echo/propagate-arrays' }],
        },
        {
          endpoint: '/tenant',
          extra_config: local(),
          backend: [{ host, url_pattern: '/echo/tenants/{JWT.tenant}?t={JWT.tenant}' }],
        },
        {
          endpoint: '/roles',
          extra_config: local({ roles: ['admin'] }),
          backend: [{ host, url_pattern: '/echo/roles' }],
        },
        {
          endpoint: '/scopes',
          extra_config: local({ scopes: ['read'], scopes_key: 'scope' }),
          backend: [{ host, url_pattern: '/echo/scopes' }],
        },
        {
          endpoint: '/scopes-url',
          extra_config: local({ scopes: ['read'], scopes_key: 'https://example.com/scope' }),
          backend: [{ host, url_pattern: '/echo/scopes-url' }],
        },
        {
          endpoint: '/jwks-crit',
          extra_config: remote('/crit'),
          backend: [{ host, url_pattern: '/echo/c' }],
        },
        {
          endpoint: '/jwks-good',
          extra_config: remote('/good'),
          backend: [{ host, url_pattern: '/echo/a' }],
        },
        {
          endpoint: '/jwks-text',
          extra_config: remote('/text'),
          backend: [{ host, url_pattern: '/echo/b' }],
        },
        { endpoint: '/jwks-dup', extra_config: remote('/dup'), backend: [{ host, url_pattern: '/echo/c' }] },
        {
          endpoint: '/jwks-bad-key',
          extra_config: remote('/bad-key'),
          backend: [{ host, url_pattern: '/echo/d' }],
        },
        {
          endpoint: '/sign-late-kid',
          extra_config: signer('late', 'HS256', { jwk_url: `${jwksBase}/signer` }),
          backend: [{ host, url_pattern: '/session' }],
        },
        {
          endpoint: '/sign-public',
          extra_config: signer('public-only', 'RS256', { jwk_local_path: join(dir, 'signing.json') }),
          backend: [{ host, url_pattern: '/session' }],
        },
        {
          endpoint: '/sign-wrong-curve',
          extra_config: signer('p384', 'ES256', { jwk_local_path: join(dir, 'signing.json') }),
          backend: [{ host, url_pattern: '/session' }],
        },
      ],
    }),
  )
})

after(async () => {
  await gateway?.close()
  await backend?.close()
  jwksServer?.close()
  await rm(dir, { recursive: true, force: true })
})

const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
  send(gateway.url, {
    path,
    headers: token === undefined ? headers : { authorization: `Bearer ${token}`, ...headers },
  })
const echoed = async (path: string, token: string) => {
  const res = await get(path, token)
  assert.equal(res.status, 200, res.text)
  return JSON.parse(res.text) as { url: string; headers: Record<string, string | undefined> }
}

describe('auth/validator: tokens go-jose refuses are refused', () => {
  test('claims go-jose cannot unmarshal into jwt.Claims, repeated JSON keys, bad header members: 401', async () => {
    const exp = inAnHour()
    assert.equal((await get('/hs', hs(`{"sub":"a","exp":${exp}}`))).status, 200, 'the control token passes')
    const refused: Array<[string, string] | [string]> = [
      [`{"iss":5,"exp":${exp}}`],
      [`{"sub":{"id":1},"exp":${exp}}`],
      [`{"jti":7,"exp":${exp}}`],
      [`{"aud":[1],"exp":${exp}}`],
      [`{"aud":null,"exp":${exp}}`],
      [`{"aud":{"x":1},"exp":${exp}}`],
      [`{"exp":"${exp}"}`],
      [`{"nbf":true,"exp":${exp}}`],
      ['{"exp":1e19}'],
      [`{"roles":["user"],"roles":["admin"],"exp":${exp}}`],
      [`{"org":{"id":1,"id":2},"exp":${exp}}`],
      [`{"exp":${exp}}`, '{"alg":"HS256","kid":"h","kid":"h"}'],
      [`{"exp":${exp}}`, '{"alg":"HS256","kid":"h","nonce":5}'],
      [`{"exp":${exp}}`, '{"alg":"HS256","kid":"h","x5c":["bm90IGEgY2VydA=="]}'],
      [`{"exp":${exp}}`, '{"alg":"HS256","kid":"h","jwk":{"kty":"oct","k":"AA"}}'],
    ]
    for (const [payload, header] of refused) {
      const res = await get('/hs', hs(payload, header))
      assert.equal(res.status, 401, `${header ?? ''} ${payload}`)
      assert.equal(res.text, '')
    }
    assert.equal((await get('/issuer', hs('{"iss":"https://idp"}'))).status, 200)
    assert.equal((await get('/issuer', hs('{"iss":null}'))).status, 401, 'a null issuer is no issuer')
  })

  test('what go-jose accepts is accepted: a null claims set, null dates, whitespace inside the token', async () => {
    assert.equal((await get('/hs', hs('null'))).status, 200, 'Go decodes null into empty claims')
    assert.equal((await get('/hs', hs('{"exp":null,"iss":null}'))).status, 200)
    const t = hs(`{"exp":${inAnHour()}}`)
    assert.equal((await get('/hs', undefined, { authorization: `Bearer  ${t}` })).status, 200)
    assert.equal(
      (await get('/hs', undefined, { authorization: `bearer ${t.slice(0, 20)} ${t.slice(20)}` })).status,
      200,
    )
  })
})

describe('auth/validator: roles and scopes as krakend-jose matches them', () => {
  test('a non-string role or scope before a match makes krakend-jose panic: 500, never a pass', async () => {
    assert.equal((await get('/roles', hs('{"roles":[1,"admin"]}'))).status, 500)
    assert.equal((await get('/roles', hs('{"roles":["admin",1]}'))).status, 200, 'matched before the number')
    assert.equal((await get('/roles', hs('{"roles":[null]}'))).status, 500)
    assert.equal(
      (await get('/scopes', hs('{"scope":["read",5]}'))).status,
      500,
      'scopes convert every element',
    )
    assert.equal((await get('/scopes', hs('{"scope":[]}'))).status, 403)
  })

  test('a scopes_key with a dot is always a path: a top-level claim of that name does not count', async () => {
    const res = await get('/scopes-url', hs('{"https://example.com/scope":"read"}'))
    assert.equal(res.status, 403)
  })
})

describe('auth/validator: what reaches the backend', () => {
  test("propagate_claims values are krakend-jose's Claims.Get: near-integers, Go %v in lists, Go JSON for objects", async () => {
    const seen = await echoed(
      '/propagate',
      hs('{"n":2.0000001,"arr":[1000000,1.5,true,null,{"b":1,"a":2}],"obj":{"b":1,"a":"<"}}'),
    )
    assert.equal(seen.headers['x-n'], '2')
    assert.equal(seen.headers['x-arr'], '1e+06,1.5,true,<nil>,map[a:2 b:1]')
    assert.equal(seen.headers['x-obj'], '{"a":"\\u003c","b":1}')
    const huge = await echoed('/propagate', hs('{"n":1e21}'))
    assert.equal(huge.headers['x-n'], '-9223372036854775808', "Go's int(1e21) on amd64, as KrakenD sends it")
  })

  test('propagate_claims_preserve_array: one header value per element; an empty list removes the header', async () => {
    const seen = await echoed('/propagate-arrays', hs('{"list":["a","b"],"empty":[]}'))
    assert.equal(seen.headers['x-list'], 'a, b')
    assert.equal(seen.headers['x-gone'], undefined)
  })

  test('a {JWT.claim} the token lacks stays as lura leaves it (escaped by Go in the path, raw in the query)', async () => {
    assert.equal((await echoed('/tenant', hs('{"tenant":"acme"}'))).url, '/echo/tenants/acme?t=acme')
    assert.equal(
      (await echoed('/tenant', hs('{}'))).url,
      '/echo/tenants/%7B%7B.JWT.tenant%7D%7D?t={{.JWT.tenant}}',
    )
  })
})

describe('auth/validator: the JWKS as go-auth0 and go-jose read it', () => {
  test('a JWKS not served as JSON is refused (every token 401)', async () => {
    assert.equal((await get('/jwks-good', await rsaToken(rsa.privateKey))).status, 200)
    assert.equal((await get('/jwks-text', await rsaToken(rsa.privateKey))).status, 401)
  })

  test('two keys with one kid: the last one is used', async () => {
    assert.equal((await get('/jwks-dup', await rsaToken(other.privateKey))).status, 200)
    assert.equal((await get('/jwks-dup', await rsaToken(rsa.privateKey))).status, 401)
  })

  test('a critical header go-jose does not know fails at verification, after the key set is read', async () => {
    // jose will not sign with an extension it does not know: signed here.
    const input = `${b64('{"alg":"RS256","kid":"k1","crit":["exp"],"exp":1}')}.${b64(`{"sub":"u","exp":${inAnHour()}}`)}`
    const signature = createSign('RSA-SHA256').update(input).sign(KeyObject.from(rsa.privateKey))
    const token = `${input}.${signature.toString('base64url')}`
    const fetches = critSetFetches
    assert.equal((await get('/jwks-crit', token)).status, 401)
    assert.equal(critSetFetches, fetches + 1, 'go-jose reads crit once it has the key: the JWKS is fetched')
  })

  test('one key go-jose cannot read fails the whole set', async () => {
    assert.equal((await get('/jwks-bad-key', await rsaToken(rsa.privateKey))).status, 401)
  })
})

describe('auth/signer: built once, as KrakenD builds it at startup', () => {
  test('a kid missing at startup stays missing: 401 even after the JWKS gains it, with one fetch', async () => {
    assert.equal((await send(gateway.url, { path: '/sign-late-kid' })).status, 401)
    sets['/signer']?.keys.push({ kty: 'oct', kid: 'late', k: b64(secret) } satisfies JWK)
    assert.equal((await send(gateway.url, { path: '/sign-late-kid' })).status, 401)
    assert.equal(signerSetFetches, 1)
  })

  test('a public key cannot sign: 401; a key that fails while signing: 400', async () => {
    const pub = await send(gateway.url, { path: '/sign-public' })
    assert.equal(pub.status, 401)
    assert.equal(pub.text, '')
    const curve = await send(gateway.url, { path: '/sign-wrong-curve' })
    assert.equal(curve.status, 400)
    assert.equal(curve.text, '')
  })
})

describe('auth/validator: configuration as KrakenD reads it', () => {
  const jwt = (extra: Record<string, unknown>) =>
    mustConfig({
      version: 3,
      name: 'x',
      endpoints: [
        {
          endpoint: '/a',
          extra_config: { 'auth/validator': { alg: 'RS256', jwk_url: 'https://idp/jwks', ...extra } },
          backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }],
        },
      ],
    }).endpoints[0]?.components?.jwt

  test('leeway below 1s is 1s (go-auth0); a failed_jwk_key_cooldown below 1s is off', () => {
    assert.equal(jwt({ leeway: '0s' })?.leewayS, 1)
    assert.equal(jwt({ leeway: '500ms' })?.leewayS, 1)
    assert.equal(jwt({ leeway: '3s' })?.leewayS, 3)
    assert.equal(jwt({ failed_jwk_key_cooldown: '500ms' })?.unknownKidMs, 0)
    assert.equal(jwt({ failed_jwk_key_cooldown: '2s' })?.unknownKidMs, 2000)
  })

  test('a nested roles_key shorter than 4 characters is refused (KrakenD panics at startup)', () => {
    const errors = validateGatewayConfig({
      version: 3,
      name: 'x',
      endpoints: [
        {
          endpoint: '/a',
          extra_config: {
            'auth/validator': {
              alg: 'RS256',
              jwk_url: 'https://idp/jwks',
              roles_key: 'a.b',
              roles_key_is_nested: true,
            },
          },
          backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }],
        },
      ],
    }).errors.map((e) => `${e.location?.path}: ${e.message}`)
    assert.match(errors.join('\n'), /roles_key: KrakenD cannot start/)
  })
})

describe('auth/validator: the token header as Go reads it', () => {
  test('a repeated auth_header_name header is read by its first line (Node would join the lines)', async () => {
    const token = hs(`{"sub":"u","exp":${inAnHour()}}`)
    const res = await sendRaw(
      gateway.url,
      rawRequest(['GET /custom-header HTTP/1.1', 'Host: a', `X-Token: Bearer ${token}`, 'X-Token: junk']),
    )
    assert.equal(res.status, 200)
  })
})
