// Signatures checked as go-jose v3 (krakend-jose's) checks them, where the jose library is stricter:
// 1024-bit RSA keys (Go 1.24's floor is 1024, jose's 2048) and RSASSA-PSS salts of any length (Go's
// PSSSaltLengthAuto). Both were 401 for every token here and accepted by KrakenD.
import assert from 'node:assert/strict'
import { constants, createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import { test } from 'node:test'
import { exportJWK, importJWK } from 'jose'
import { verifiedPayload } from '../../../src/gateway/components/verified-tokens.ts'

const b64 = (data: string | Buffer) => Buffer.from(data).toString('base64url')
const compact = (alg: string, signer: (input: Buffer) => Buffer) => {
  const input = `${b64(JSON.stringify({ alg }))}.${b64(JSON.stringify({ sub: alg }))}`
  return `${input}.${b64(signer(Buffer.from(input)))}`
}
const publicKey = async (key: KeyObject, alg: string) => importJWK(await exportJWK(key), alg)
const payload = (bytes: Uint8Array) => JSON.parse(Buffer.from(bytes).toString()) as { sub: string }

test('RSA keys from 1024 bits verify (jose refuses below 2048); smaller ones do not, as in Go 1.24+', async () => {
  const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 })
  const token = compact('RS256', (input) => sign('sha256', input, rsa1024.privateKey))
  assert.equal(
    payload(verifiedPayload(token, await publicKey(rsa1024.publicKey, 'RS256'), 'RS256')).sub,
    'RS256',
  )
  const rsa512 = generateKeyPairSync('rsa', { modulusLength: 512 })
  const weak = compact('RS256', (input) => sign('sha256', input, rsa512.privateKey))
  assert.throws(() => verifiedPayload(weak, rsa512.publicKey as never, 'RS256'), /512-bit keys are insecure/)
})

test('PSS signatures verify whatever their salt length (Go: PSSSaltLengthAuto)', async () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const key = await publicKey(rsa.publicKey, 'PS256')
  for (const saltLength of [0, 20, 32, 64]) {
    const token = compact('PS256', (input) =>
      sign('sha256', input, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }),
    )
    assert.equal(payload(verifiedPayload(token, key, 'PS256')).sub, 'PS256', `salt ${saltLength}`)
  }
  const pkcs1 = compact('PS256', (input) => sign('sha256', input, rsa.privateKey))
  assert.throws(() => verifiedPayload(pkcs1, key, 'PS256'), /verification error/)
})

test('ECDSA wants r||s of exactly twice the curve size; HMAC keys of any length (go-jose v3)', async () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const key = await publicKey(ec.publicKey, 'ES256')
  const good = compact('ES256', (input) =>
    sign('sha256', input, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }),
  )
  assert.equal(payload(verifiedPayload(good, key, 'ES256')).sub, 'ES256')
  const der = compact('ES256', (input) => sign('sha256', input, ec.privateKey))
  assert.throws(() => verifiedPayload(der, key, 'ES256'), /invalid signature size/)
  const secret = Buffer.from('short')
  const hs = compact('HS256', (input) => createHmac('sha256', secret).update(input).digest())
  assert.equal(payload(verifiedPayload(hs, new Uint8Array(secret), 'HS256')).sub, 'HS256')
})
