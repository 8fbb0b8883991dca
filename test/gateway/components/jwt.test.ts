import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

// A real JWKS server (counting fetches), real RS256/ES256/HS256 tokens, a real backend that echoes.
let jwksServer: Server
let jwksUrl: string
let jwks: { keys: JWK[] } = { keys: [] }
let fetches = 0
let backend: TestBackend
let gateway: Running
let dir: string
const rsa = await generateKeyPair('RS256')
const rsa2 = await generateKeyPair('RS256')
const ec = await generateKeyPair('ES256')
const secret = new TextEncoder().encode('a-symmetric-secret-of-32-bytes!!')
const publicJwk = async (key: CryptoKey, kid: string, alg: string) => ({
  ...(await exportJWK(key)),
  kid,
  alg,
  use: 'sig',
})

const token = (
  claims: Record<string, unknown>,
  options: { kid?: string; key?: CryptoKey | Uint8Array; alg?: string; exp?: string | number } = {},
) => {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({
      alg: options.alg ?? 'RS256',
      ...(options.kid === '' ? {} : { kid: options.kid ?? 'k1' }),
    })
    .setIssuedAt()
    .setIssuer('https://issuer.example')
    .setAudience(['api', 'other'])
    .setExpirationTime(options.exp ?? '5m')
  return jwt.sign(options.key ?? rsa.privateKey)
}

const validator = (extra: Record<string, unknown> = {}) => ({
  alg: 'RS256',
  jwk_url: jwksUrl,
  disable_jwk_security: true,
  issuer: 'https://issuer.example',
  audience: ['api'],
  ...extra,
})

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-jwt-'))
  jwks = { keys: [await publicJwk(rsa.publicKey, 'k1', 'RS256')] }
  jwksServer = createServer((_req, res) => {
    fetches += 1
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks))
  })
  jwksServer.listen(0, '127.0.0.1')
  await new Promise((resolve) => jwksServer.once('listening', resolve))
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`
  backend = await startBackend('api')
  await writeFile(
    join(dir, 'symmetric.json'),
    JSON.stringify({
      keys: [{ kty: 'oct', kid: 'sym', alg: 'HS256', k: Buffer.from(secret).toString('base64url') }],
    }),
  )
  await writeFile(
    join(dir, 'ec.json'),
    JSON.stringify({ keys: [await publicJwk(ec.publicKey, 'ec1', 'ES256')] }),
  )
  const host = [backend.origin]
  gateway = await startGateway(
    mustConfig({
      version: 3,
      name: 'jwt',
      endpoints: [
        {
          endpoint: '/private',
          input_headers: ['X-User', 'X-Tenant', 'X-Groups'],
          extra_config: {
            'auth/validator': validator({
              cache: true,
              propagate_claims: [
                ['sub', 'X-User'],
                ['org.tenant', 'X-Tenant'],
                ['groups', 'X-Groups'],
                ['email', 'X-Not-Passed'],
              ],
            }),
          },
          backend: [{ host, url_pattern: '/echo/private' }],
        },
        {
          endpoint: '/roles',
          extra_config: {
            'auth/validator': validator({
              cache: true,
              roles: ['admin', 'ops'],
              roles_key: 'realm.roles',
              roles_key_is_nested: true,
            }),
          },
          backend: [{ host, url_pattern: '/echo/roles' }],
        },
        {
          endpoint: '/scopes-all',
          extra_config: {
            'auth/validator': validator({
              cache: true,
              scopes: ['read', 'write'],
              scopes_key: 'scope',
              scopes_matcher: 'all',
            }),
          },
          backend: [{ host, url_pattern: '/echo/scopes' }],
        },
        {
          endpoint: '/claim-in-path',
          extra_config: { 'auth/validator': validator({ cache: true }) },
          backend: [{ host, url_pattern: '/echo/users/{JWT.sub}' }],
        },
        {
          endpoint: '/cookie',
          extra_config: { 'auth/validator': validator({ cache: true, cookie_key: 'session' }) },
          backend: [{ host, url_pattern: '/echo/cookie' }],
        },
        {
          endpoint: '/symmetric',
          extra_config: {
            'auth/validator': {
              alg: 'HS256',
              jwk_local_path: join(dir, 'symmetric.json'),
              disable_jwk_security: true,
            },
          },
          backend: [{ host, url_pattern: '/echo/symmetric' }],
        },
        {
          endpoint: '/ec',
          extra_config: {
            'auth/validator': {
              alg: 'ES256',
              jwk_local_path: join(dir, 'ec.json'),
              disable_jwk_security: true,
            },
          },
          backend: [{ host, url_pattern: '/echo/ec' }],
        },
        {
          endpoint: '/nocache',
          extra_config: { 'auth/validator': validator() },
          backend: [{ host, url_pattern: '/echo/nocache' }],
        },
        { endpoint: '/public', backend: [{ host, url_pattern: '/echo/public' }] },
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

const get = (path: string, headers: Record<string, string> = {}) => send(gateway.url, { path, headers })
const bearer = (t: string) => ({ authorization: `Bearer ${t}` })

describe('auth/validator (JWT) with real keys and a JWKS server', () => {
  test('no token, a garbage token, a wrong signature, an expired token, wrong audience or issuer: 401, empty body, backend not called', async () => {
    const before = backend.seen.length
    const cases: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer not.a.jwt' },
      bearer(await token({ sub: 'u' }, { key: rsa2.privateKey })),
      bearer(await token({ sub: 'u' }, { exp: Math.floor(Date.now() / 1000) - 60 })),
      bearer(
        await new SignJWT({ sub: 'u' })
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .setIssuer('https://issuer.example')
          .setAudience('other')
          .sign(rsa.privateKey),
      ),
      bearer(
        await new SignJWT({ sub: 'u' })
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .setIssuer('https://evil.example')
          .setAudience('api')
          .sign(rsa.privateKey),
      ),
      bearer(await token({ sub: 'u' }, { alg: 'HS256', key: secret })),
    ]
    for (const headers of cases) {
      const res = await get('/private', headers)
      assert.equal(res.status, 401, JSON.stringify(headers))
      assert.equal(res.text, '')
    }
    assert.equal(backend.seen.length, before, 'the backend never saw a rejected request')
  })

  test('a valid token passes; claims reach the backend as headers only when input_headers lets them', async () => {
    const t = await token({ sub: 'alice', org: { tenant: 'acme' }, groups: ['a', 'b'], email: 'a@x' })
    const res = await get('/private', bearer(t))
    assert.equal(res.status, 200, res.text)
    const echoed = JSON.parse(res.text) as { headers: Record<string, string> }
    assert.equal(echoed.headers['x-user'], 'alice')
    assert.equal(echoed.headers['x-tenant'], 'acme')
    assert.equal(echoed.headers['x-groups'], 'a,b')
    assert.equal(echoed.headers['x-not-passed'], undefined)
    assert.equal(echoed.headers.authorization, undefined, 'Authorization is not in input_headers')
    // "Bearer" is optional, as in krakend-jose
    assert.equal((await get('/private', { authorization: t })).status, 200)
  })

  test('roles (nested key) and scopes (all): 403 when missing, 200 when present', async () => {
    assert.equal((await get('/roles', bearer(await token({ realm: { roles: ['user'] } })))).status, 403)
    assert.equal(
      (await get('/roles', bearer(await token({ roles: ['admin'] })))).status,
      403,
      'top-level roles do not count',
    )
    assert.equal(
      (await get('/roles', bearer(await token({ realm: { roles: ['user', 'ops'] } })))).status,
      200,
    )
    assert.equal((await get('/scopes-all', bearer(await token({ scope: 'read' })))).status, 403)
    assert.equal((await get('/scopes-all', bearer(await token({ scope: 'write read extra' })))).status, 200)
    assert.equal((await get('/scopes-all', bearer(await token({ scope: ['read', 'write'] })))).status, 200)
    assert.equal((await get('/roles')).status, 401, 'no token is still 401, not 403')
  })

  test('{JWT.sub} in url_pattern and the token from a cookie', async () => {
    const t = await token({ sub: 'bob' })
    const res = await get('/claim-in-path', bearer(t))
    assert.equal((JSON.parse(res.text) as { url: string }).url, '/echo/users/bob')
    assert.equal((await get('/cookie', { cookie: `a=b; session=${t}` })).status, 200)
    assert.equal(
      (await get('/cookie', { cookie: `access_token=${t}` })).status,
      401,
      'cookie_key names the cookie',
    )
  })

  test('symmetric (kty oct) and EC keys from jwk_local_path', async () => {
    const hs = await token({ sub: 's' }, { alg: 'HS256', key: secret, kid: 'sym' })
    assert.equal((await get('/symmetric', bearer(hs))).status, 200)
    const wrong = await token(
      { sub: 's' },
      { alg: 'HS256', key: new TextEncoder().encode('x'.repeat(32)), kid: 'sym' },
    )
    assert.equal((await get('/symmetric', bearer(wrong))).status, 401)
    assert.equal(
      (await get('/ec', bearer(await token({ sub: 'e' }, { alg: 'ES256', key: ec.privateKey, kid: 'ec1' }))))
        .status,
      200,
    )
  })

  test('a rotated key: an unknown kid refreshes the cached JWKS once', async () => {
    const t1 = await token({ sub: 'u' })
    assert.equal((await get('/private', bearer(t1))).status, 200)
    const before = fetches
    assert.equal((await get('/private', bearer(t1))).status, 200)
    assert.equal(fetches, before, 'cache: true keeps the JWKS')
    jwks = { keys: [...jwks.keys, await publicJwk(rsa2.publicKey, 'k2', 'RS256')] }
    const t2 = await token({ sub: 'u' }, { kid: 'k2', key: rsa2.privateKey })
    assert.equal((await get('/private', bearer(t2))).status, 200)
    assert.equal(fetches, before + 1)
    assert.equal((await get('/private', bearer(await token({ sub: 'u' }, { kid: 'k9' })))).status, 401)
  })

  test('a key the JWKS no longer lists stays usable until its own cache time is up, as krakend-jose caches each key', async () => {
    const saved = jwks
    try {
      const t1 = await token({ sub: 'u' })
      assert.equal((await get('/claim-in-path', bearer(t1))).status, 200)
      // The issuer rotates: k1 leaves the set, k3 comes. A k3 token downloads the new set once...
      jwks = { keys: [await publicJwk(rsa2.publicKey, 'k3', 'RS256')] }
      const before = fetches
      const t3 = await token({ sub: 'u' }, { kid: 'k3', key: rsa2.privateKey })
      assert.equal((await get('/claim-in-path', bearer(t3))).status, 200)
      assert.equal(fetches, before + 1)
      // ...and k1 tokens still pass from the cache (KrakenD keeps k1 for its 15 min; it was a 401 here).
      assert.equal((await get('/claim-in-path', bearer(t1))).status, 200)
      assert.equal(fetches, before + 1)
    } finally {
      jwks = saved
    }
  })

  test('without cache the JWKS is fetched twice for every request (signature, then claims), as KrakenD does', async () => {
    const t = await token({ sub: 'u' })
    const before = fetches
    for (let i = 0; i < 3; i += 1) assert.equal((await get('/nocache', bearer(t))).status, 200)
    assert.equal(fetches, before + 6)
  })

  test('endpoints without auth/validator are untouched', async () => {
    assert.equal((await get('/public')).status, 200)
  })
})

describe('auth/validator configuration problems exit 2 with the JSON path', () => {
  const check = (extra: Record<string, unknown>) =>
    validateGatewayConfig({
      version: 3,
      name: 'x',
      endpoints: [
        {
          endpoint: '/a',
          extra_config: { 'auth/validator': extra },
          backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }],
        },
      ],
    }).errors.map((e) => `${e.location?.path}: ${e.message}`)

  test('http JWKS without disable_jwk_security, unknown alg, no key source, cache with a local file', () => {
    assert.match(
      check({ alg: 'RS256', jwk_url: 'http://idp/jwks' }).join('\n'),
      /jwk_url: "jwk_url" must use https/,
    )
    assert.deepEqual(check({ alg: 'RS256', jwk_url: 'https://idp/jwks' }), [])
    assert.match(
      check({ alg: 'none', jwk_url: 'https://idp/jwks' }).join('\n'),
      /auth\/validator\.alg: unknown algorithm "none"/,
    )
    assert.match(check({ alg: 'RS256' }).join('\n'), /needs "jwk_url" or "jwk_local_path"/)
    assert.match(
      check({ alg: 'RS256', jwk_local_path: 'k.json', disable_jwk_security: true, cache: true }).join('\n'),
      /cache/,
    )
    assert.match(
      check({ alg: 'RS256', jwk_url: 'https://idp/jwks', jwk_fingerprints: ['x'] }).join('\n'),
      /jwk_fingerprints\[0\]: fingerprint #0 is not padded base64url/,
    )
    assert.match(
      check({ alg: 'RS256', jwk_url: 'https://idp/jwks', secret_url: 'x' }).join('\n'),
      /not supported/,
    )
  })
})
