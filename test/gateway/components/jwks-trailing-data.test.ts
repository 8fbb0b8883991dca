import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { SYM_JWK, symJwksGateway } from './jwks-answer-server.ts'

// go-auth0 reads a downloaded JWKS with json.Decoder, which stops after the first JSON value: text
// after the set's object is never read, so KrakenD verifies with that set. A local file is read
// with json.Unmarshal, where trailing text is an error (KrakenD does not start).
const SET = JSON.stringify({ keys: [SYM_JWK] })
const ANSWERS: Record<string, string> = {
  '/trailing-text': `${SET} trailing`,
  '/second-object': `${SET}{"keys":[]}`,
  '/leading-space': ` \n${SET}\n]`,
  '/text-first': `x${SET}`,
}
const status = symJwksGateway(ANSWERS)

describe('auth/validator: a downloaded JWKS is its first JSON value', () => {
  test('text or a second object after the set is ignored', async () => {
    assert.equal(await status('/trailing-text'), 200)
    assert.equal(await status('/second-object'), 200)
    assert.equal(await status('/leading-space'), 200)
  })

  test('text before the set is still no set', async () => {
    assert.equal(await status('/text-first'), 401)
  })
})
