import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { b64, type Hs256Gateway, hs256, hs256Gateway } from './hs256-gateway.ts'

// A compact JWS with "b64": false (RFC 7797): go-jose still base64url-decodes the payload part, and
// checks the signature over the encoded header, "." and the payload's bytes as they are; KrakenD
// accepts such a token (with or without "crit": ["b64"]) and reads its claims.
let gw: Hs256Gateway

before(async () => {
  gw = await hs256Gateway({
    endpoint: { input_headers: ['X-Sub'] },
    validator: { propagate_claims: [['sub', 'X-Sub']] },
  })
})

after(() => gw?.close())

/** A token of `header` over the claims, signed over the raw payload or its base64url text. */
function token(header: Record<string, unknown>, signRaw: boolean): string {
  const claims = `{"sub":"alice","exp":${Math.floor(Date.now() / 1000) + 300}}`
  const h = b64(JSON.stringify({ alg: 'HS256', kid: 'sym', ...header }))
  const p = b64(claims)
  return `${h}.${p}.${hs256(signRaw ? `${h}.${claims}` : `${h}.${p}`)}`
}

const call = (t: string) => gw.call(t)

describe('auth/validator: "b64": false tokens', () => {
  test('signed over the raw payload: accepted, with or without crit, and its claims propagated', async () => {
    for (const header of [{ b64: false, crit: ['b64'] }, { b64: false }]) {
      const res = await call(token(header, true))
      assert.equal(res.status, 200, JSON.stringify(header))
      assert.equal((JSON.parse(res.text) as { headers: Record<string, string> }).headers['x-sub'], 'alice')
    }
  })

  test('signed over the encoded payload: refused; "b64" not a boolean reads as true', async () => {
    assert.equal((await call(token({ b64: false, crit: ['b64'] }, false))).status, 401)
    assert.equal((await call(token({ b64: 'false' }, true))).status, 401)
    assert.equal((await call(token({ b64: 'false' }, false))).status, 200)
  })
})
