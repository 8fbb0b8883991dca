import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { b64, type Hs256Gateway, hs256, hs256Gateway } from './hs256-gateway.ts'

// go-jose's ParseSigned reads a token starting with "{" as the JWS JSON serialization, so KrakenD
// accepts one in the Authorization header. Flattened: alg and kid from the protected header, with
// the unprotected `header` filling members it lacks; general: one signature only, alg and kid from
// its protected header alone; crit from both; the signature over the protected header ("" without
// one) and the payload; a nonce in the unprotected header is refused.
let payload: string
let gw: Hs256Gateway

before(async () => {
  payload = b64(`{"sub":"alice","exp":${Math.floor(Date.now() / 1000) + 300}}`)
  gw = await hs256Gateway({
    kid: 'k1',
    endpoint: { input_headers: ['X-Sub'] },
    validator: { propagate_claims: [['sub', 'X-Sub']] },
  })
})

after(() => gw?.close())

const call = (token: unknown) => gw.call(JSON.stringify(token))
const status = async (token: unknown) => (await call(token)).status
/** A flattened or general token signed over `protectedHeader` (undefined: none) and the payload. */
function signed(protectedHeader: object | undefined, header?: object) {
  const p = protectedHeader === undefined ? undefined : b64(JSON.stringify(protectedHeader))
  return { protected: p, header, signature: hs256(`${p ?? ''}.${payload}`) }
}

describe('auth/validator: the JWS JSON serialization', () => {
  test('flattened and single-signature general tokens verify, their claims propagated', async () => {
    const flat = await call({ payload, ...signed({ alg: 'HS256', kid: 'k1' }) })
    assert.equal(flat.status, 200)
    assert.equal((JSON.parse(flat.text) as { headers: Record<string, string> }).headers['x-sub'], 'alice')
    assert.equal(await status({ payload, signatures: [signed({ alg: 'HS256', kid: 'k1' })] }), 200)
  })

  test('flattened: the unprotected header fills what the protected one lacks, never overrides it', async () => {
    assert.equal(await status({ payload, ...signed(undefined, { alg: 'HS256', kid: 'k1' }) }), 200)
    assert.equal(await status({ payload, ...signed({ alg: 'HS256', kid: '' }, { kid: 'k1' }) }), 200)
    assert.equal(await status({ payload, ...signed({ alg: 'HS256', kid: 'k9' }, { kid: 'k1' }) }), 401)
  })

  test('general: alg and kid from the protected header alone; two signatures never verify', async () => {
    assert.equal(await status({ payload, signatures: [signed(undefined, { alg: 'HS256', kid: 'k1' })] }), 401)
    const one = signed({ alg: 'HS256', kid: 'k1' })
    assert.equal(await status({ payload, signatures: [one, one] }), 401)
  })

  test('an unprotected nonce or crit, a wrong signature or no payload is refused', async () => {
    assert.equal(await status({ payload, ...signed({ alg: 'HS256', kid: 'k1' }, { nonce: 'n' }) }), 401)
    assert.equal(await status({ payload, ...signed({ alg: 'HS256', kid: 'k1' }, { crit: ['exp'] }) }), 401)
    assert.equal(
      await status({ payload, ...signed({ alg: 'HS256', kid: 'k1' }), signature: hs256('x') }),
      401,
    )
    assert.equal(await status({ ...signed({ alg: 'HS256', kid: 'k1' }) }), 401)
  })
})
