import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { compactToken, type Hs256Gateway, hs256Gateway } from './hs256-gateway.ts'

// go-jose's JSON decoder has no nesting limit: a well-signed token whose claims hold a value nested
// thousands deep is accepted by KrakenD (the request head stays under Go's 1 MB); ours overflowed
// the stack while checking the claims' numbers and answered 401.
let gw: Hs256Gateway

before(async () => {
  gw = await hs256Gateway()
})

after(() => gw?.close())

const status = async (claims: string) =>
  (await gw.call(compactToken('{"alg":"HS256","kid":"sym"}', claims))).status

describe('auth/validator: claims nested thousands deep', () => {
  test('are accepted; a number out of float64 range deep inside is still refused', async () => {
    const exp = Math.floor(Date.now() / 1000) + 300
    const depth = 20_000
    assert.equal(await status(`{"exp":${exp},"deep":${'['.repeat(depth)}1${']'.repeat(depth)}}`), 200)
    assert.equal(await status(`{"exp":${exp},"deep":${'['.repeat(depth)}1e400${']'.repeat(depth)}}`), 401)
  })
})
