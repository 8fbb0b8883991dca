import assert from 'node:assert/strict'
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { mustConfig, send, startGateway } from '../helpers.ts'

// krakend-jose's signer reads its key with go-jose: an RSA private key needs n, e, d, p and q;
// Go's crypto/rsa computes dp, dq and qi itself when any of them is missing (and signs). A kid the
// jwk_local_path file lacks, with jwk_url set too, makes go-auth0 download that set and then
// dereference the nil key krakend-jose's file cache returns: KrakenD crashes at startup.
let dir: string
const full = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })
const { dp, dq: _dq, qi: _qi, ...withoutCrt } = full

const signer = (file: string, extra: Record<string, unknown> = {}) => ({
  'auth/signer': {
    alg: 'RS256',
    kid: 's1',
    keys_to_sign: ['token'],
    jwk_local_path: file,
    disable_jwk_security: true,
    ...extra,
  },
})

const gateway = gatewayWith(
  (backend) => ({
    version: 3,
    endpoints: ['bare', 'dp-only'].map((name) => ({
      endpoint: `/${name}`,
      extra_config: signer(join(dir, `${name}.json`)),
      backend: [{ host: [backend.origin], url_pattern: '/session' }],
    })),
  }),
  {
    backends: { idp: { '/session': { body: { token: { sub: 'alice' } } } } },
    setUp: async () => {
      dir = await mkdtemp(join(tmpdir(), 'gw-signer-keys-'))
      await writeFile(join(dir, 'bare.json'), JSON.stringify({ keys: [{ ...withoutCrt, kid: 's1' }] }))
      await writeFile(join(dir, 'dp-only.json'), JSON.stringify({ keys: [{ ...withoutCrt, dp, kid: 's1' }] }))
    },
    tearDown: async () => {
      await rm(dir, { recursive: true, force: true })
    },
  },
)

describe('auth/signer keys', () => {
  for (const name of ['bare', 'dp-only'])
    test(`an RSA private key without all of dp, dq and qi (${name}) signs as the whole key does`, async () => {
      const res = await send(gateway.url, { path: `/${name}` })
      assert.equal(res.status, 200)
      const token = JSON.parse(res.text).token as string
      const [header, payload] = token.split('.')
      // RS256 (PKCS #1 v1.5) is deterministic: the same bytes as signing with the complete key.
      const expected = sign(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        createPrivateKey({ key: full, format: 'jwk' }),
      )
      assert.equal(token, `${header}.${payload}.${expected.toString('base64url')}`)
    })

  test('jwk_local_path and jwk_url with a kid the file lacks: refused at startup, naming the kid', async () => {
    const file = join(dir, 'other.json')
    await writeFile(file, JSON.stringify({ keys: [{ ...full, kid: 'other' }] }))
    await assert.rejects(
      startGateway(
        mustConfig({
          version: 3,
          endpoints: [
            {
              endpoint: '/t',
              extra_config: signer(file, { jwk_url: `${gateway.backend.origin}/jwks` }),
              backend: [{ host: [gateway.backend.origin], url_pattern: '/session' }],
            },
          ],
        }),
      ),
      /auth\/signer\.kid: "s1" is not in the keys of jwk_local_path .*crashes at startup/,
    )
  })
})
