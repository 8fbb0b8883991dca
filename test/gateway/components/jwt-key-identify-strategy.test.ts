import assert from 'node:assert/strict'
import { createHash, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

// krakend-jose's key_identify_strategy names keys by their certificate digest: "x5t" and "x5t#S256"
// read a token's header member of that name (its kid when absent) and file a JWK under its digest
// written as raw base64url (a hex-form digest included); "kid_x5t" joins kid and x5t. Every row's
// status is KrakenD CE 2.13.8's for the same JWKS, keys and tokens.
const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 })
const [k1, k2, k3] = [pair(), pair(), pair()]
const sha1 = createHash('sha1').update('one').digest()
const sha1Two = createHash('sha1').update('two').digest()
const sha256 = createHash('sha256').update('one').digest().toString('base64url')
const d1 = sha1.toString('base64url')
const d2 = sha1Two.toString('base64url')
const d2Hex = Buffer.from(sha1Two.toString('hex')).toString('base64url')
const jwk = (key: KeyObject) => key.export({ format: 'jwk' })
const jwks = {
  keys: [
    { ...jwk(k1.publicKey), kid: 'k1', x5t: d1, 'x5t#S256': sha256 },
    { ...jwk(k2.publicKey), kid: 'k2', x5t: d2Hex },
    { ...jwk(k3.publicKey), kid: 'k3' },
  ],
}
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
function token(header: Record<string, string>, key: KeyObject): string {
  const input = `${b64({ alg: 'RS256', ...header })}.${b64({ sub: 'u', exp: Math.floor(Date.now() / 1000) + 300 })}`
  return `${input}.${createSign('sha256').update(input).sign(key).toString('base64url')}`
}

const STRATEGIES = { x5t: 'x5t', s256: 'x5t#S256', kidx5t: 'kid_x5t' }
let dir: string
let backend: TestBackend
let gateway: Running

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-jwt-x5t-'))
  const file = join(dir, 'jwks.json')
  await writeFile(file, JSON.stringify(jwks))
  backend = await startBackend('api')
  const validator = (strategy: string) => ({
    alg: 'RS256',
    jwk_local_path: file,
    disable_jwk_security: true,
    key_identify_strategy: strategy,
  })
  gateway = await startGateway(
    mustConfig({
      version: 3,
      endpoints: Object.entries(STRATEGIES).map(([path, strategy]) => ({
        endpoint: `/${path}`,
        extra_config: { 'auth/validator': validator(strategy) },
        backend: [{ host: [backend.origin], url_pattern: '/echo' }],
      })),
    }),
  )
})

after(async () => {
  await gateway?.close()
  await backend?.close()
  await rm(dir, { recursive: true, force: true })
})

const status = async (path: keyof typeof STRATEGIES, header: Record<string, string>, key: KeyObject) =>
  (await send(gateway.url, { path: `/${path}`, headers: { authorization: `Bearer ${token(header, key)}` } }))
    .status

describe('auth/validator key_identify_strategy', () => {
  test('"x5t": the token names the key by its SHA-1 digest, or by its kid when it has no x5t', async () => {
    assert.equal(await status('x5t', { x5t: d1 }, k1.privateKey), 200)
    assert.equal(await status('x5t', { x5t: d2 }, k2.privateKey), 200, 'a hex-form x5t is its digest')
    assert.equal(await status('x5t', { x5t: d2Hex }, k2.privateKey), 401, 'named as the JWKS writes it')
    assert.equal(await status('x5t', { x5t: d1 }, k2.privateKey), 401, 'signed by another key')
    assert.equal(await status('x5t', { kid: 'k1' }, k1.privateKey), 401, 'a kid is no digest')
    assert.equal(await status('x5t', { kid: d1 }, k1.privateKey), 200, 'the kid stands in for x5t')
    assert.equal(await status('x5t', {}, k3.privateKey), 200, 'no name finds the key without x5t')
  })

  test('"x5t#S256" reads the SHA-256 digest; "kid_x5t" joins kid and x5t', async () => {
    assert.equal(await status('s256', { 'x5t#S256': sha256 }, k1.privateKey), 200)
    assert.equal(await status('s256', { x5t: d1 }, k1.privateKey), 401)
    assert.equal(await status('s256', { kid: 'k2' }, k2.privateKey), 401)
    assert.equal(await status('kidx5t', { kid: 'k1', x5t: d1 }, k1.privateKey), 200)
    assert.equal(await status('kidx5t', { kid: 'k1' }, k1.privateKey), 401, 'kid twice: "k1k1"')
    assert.equal(await status('kidx5t', { kid: 'k3' }, k3.privateKey), 401)
    assert.equal(await status('kidx5t', { x5t: 'k3' }, k3.privateKey), 200)
  })

  test('another strategy is refused: KrakenD would read it as "kid"', () => {
    const result = validateGatewayConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/a',
          extra_config: {
            'auth/validator': {
              ...{ alg: 'RS256', jwk_url: 'https://x/jwks' },
              key_identify_strategy: 'x5c',
            },
          },
          backend: [{ host: ['http://127.0.0.1:1'], url_pattern: '/' }],
        },
      ],
    })
    assert.equal(result.config, undefined)
    assert.match(
      JSON.stringify(result.errors),
      /key_identify_strategy \\"x5c\\" is not one of kid, x5t, x5t#S256, kid_x5t/,
    )
  })
})
