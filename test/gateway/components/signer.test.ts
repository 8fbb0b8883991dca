import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { base64url, compactVerify, exportJWK, generateKeyPair, importJWK } from 'jose'
import { goJson } from '../../../src/gateway/go-json.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

let dir: string
const secret = base64url.encode(new TextEncoder().encode('signer-secret-with-at-least-32-bytes'))
const rsa = await generateKeyPair('RS256', { extractable: true })

const gw = gatewayWith(
  (backend) => {
    const host = [backend.origin]
    const signer = (kid: string, alg: string, extra: Record<string, unknown> = {}) => ({
      'auth/signer': {
        alg,
        kid,
        keys_to_sign: ['access_token', 'user'],
        jwk_local_path: join(dir, 'keys.json'),
        disable_jwk_security: true,
        ...extra,
      },
    })
    return {
      version: 3,
      name: 'signer',
      endpoints: [
        {
          endpoint: '/token',
          extra_config: signer('hs', 'HS256'),
          backend: [{ host, url_pattern: '/session' }],
        },
        {
          endpoint: '/token-rs',
          extra_config: signer('rs', 'RS256', { full: true }),
          backend: [{ host, url_pattern: '/session' }],
        },
        {
          endpoint: '/token-broken',
          extra_config: signer('hs', 'HS256'),
          backend: [{ host, url_pattern: '/broken' }],
        },
        {
          endpoint: '/token-nokey',
          extra_config: signer('nope', 'HS256'),
          backend: [{ host, url_pattern: '/session' }],
        },
      ],
    }
  },
  {
    backends: {
      idp: {
        '/session': {
          body: { access_token: { sub: 'alice', roles: ['a<b'], exp: 1735689600 }, refresh: 'x', user: 7 },
        },
        '/broken': { status: 500, body: {} },
      },
    },
    setUp: async () => {
      dir = await mkdtemp(join(tmpdir(), 'gw-signer-'))
      await writeFile(
        join(dir, 'keys.json'),
        JSON.stringify({
          keys: [
            { kty: 'oct', k: secret, kid: 'hs', alg: 'HS256' },
            { ...(await exportJWK(rsa.privateKey)), kid: 'rs', alg: 'RS256' },
          ],
        }),
      )
    },
    tearDown: async () => {
      await rm(dir, { recursive: true, force: true })
    },
  },
)

describe('auth/signer', () => {
  test('objects in keys_to_sign become compact JWS with KrakenD header and Go JSON payload; the rest stays', async () => {
    const res = await send(gw.url, { path: '/token' })
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8')
    assert.equal(res.headers['x-krakend-completed'], undefined, 'the signer answers instead of the renderer')
    const body = JSON.parse(res.text) as { access_token: string; refresh: string; user: number }
    assert.equal(res.text, goJson(body), 'the body is Go JSON (sorted keys)')
    assert.equal(body.refresh, 'x')
    assert.equal(body.user, 7, 'non-objects are left as they are')
    const [head, payload] = body.access_token.split('.')
    assert.equal(
      new TextDecoder().decode(base64url.decode(head as string)),
      '{"alg":"HS256","kid":"hs","typ":"JWT"}',
    )
    assert.equal(
      new TextDecoder().decode(base64url.decode(payload as string)),
      '{"exp":1735689600,"roles":["a\\u003cb"],"sub":"alice"}',
    )
    const key = await importJWK({ kty: 'oct', k: secret }, 'HS256')
    await compactVerify(body.access_token, key)
  })

  test('full: the JWS JSON serialization, verifiable with the public key', async () => {
    const res = await send(gw.url, { path: '/token-rs' })
    assert.equal(res.status, 200)
    const jws = JSON.parse((JSON.parse(res.text) as { access_token: string }).access_token) as Record<
      string,
      string
    >
    assert.deepEqual(Object.keys(jws), ['payload', 'protected', 'signature'])
    await compactVerify(`${jws.protected}.${jws.payload}.${jws.signature}`, rsa.publicKey)
  })

  test('a failed backend is 400 with no body; a kid the JWKS lacks is 401', async () => {
    const broken = await send(gw.url, { path: '/token-broken' })
    assert.equal(broken.status, 400)
    assert.equal(broken.text, '')
    assert.equal((await send(gw.url, { path: '/token-nokey' })).status, 401)
  })
})
