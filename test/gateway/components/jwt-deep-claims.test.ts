import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { compactToken, type Hs256Gateway, hs256Gateway } from './hs256-gateway.ts'

// go-jose's JSON decoder has no nesting limit: a well-signed token whose claims hold a value nested
// thousands deep is accepted by KrakenD (the request head stays under Go's 1 MB); ours overflowed
// the stack while checking the claims' numbers and answered 401.
let gw: Hs256Gateway
let propagating: Hs256Gateway

before(async () => {
  gw = await hs256Gateway()
  propagating = await hs256Gateway({
    validator: { propagate_claims: [['deep', 'X-Deep']] },
    endpoint: { input_headers: ['X-Deep'] },
  })
})

after(async () => {
  await gw?.close()
  await propagating?.close()
})

const status = async (claims: string) =>
  (await gw.call(compactToken('{"alg":"HS256","kid":"sym"}', claims))).status

describe('auth/validator: claims nested thousands deep', () => {
  test('are accepted; a number out of float64 range deep inside is still refused', async () => {
    const exp = Math.floor(Date.now() / 1000) + 300
    const depth = 20_000
    assert.equal(await status(`{"exp":${exp},"deep":${'['.repeat(depth)}1${']'.repeat(depth)}}`), 200)
    assert.equal(await status(`{"exp":${exp},"deep":${'['.repeat(depth)}1e400${']'.repeat(depth)}}`), 401)
  })

  test("propagated, they reach the backend as Go's fmt prints them (it has no depth limit)", async () => {
    const exp = Math.floor(Date.now() / 1000) + 300
    const header = async (deep: string) => {
      const res = await propagating.call(
        compactToken('{"alg":"HS256","kid":"sym"}', `{"exp":${exp},"deep":${deep}}`),
      )
      assert.equal(res.status, 200)
      return JSON.parse(res.text).headers['x-deep']
    }
    // A list is its elements' %v joined by commas; %v of a list is [a b], of an object map[k:v].
    const depth = 5000
    assert.equal(
      await header(`${'['.repeat(depth)}1${']'.repeat(depth)}`),
      `${'['.repeat(depth - 1)}1${']'.repeat(depth - 1)}`,
    )
    const half = 1500
    assert.equal(
      await header(`[${'{"a":['.repeat(half)}true${']}'.repeat(half)}, 2]`),
      `${'map[a:['.repeat(half)}true${']]'.repeat(half)},2`,
    )
  })
})
