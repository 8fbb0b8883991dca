import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { compactToken, type Hs256Gateway, hs256Gateway } from './hs256-gateway.ts'

// Go's JSON decoder refuses a byte order mark before a value ("invalid character 'ï' looking for
// beginning of value"), so KrakenD refuses a well-signed token whose header or claims JSON starts
// with one; TextDecoder drops a leading BOM by default, and the token passed.
const BOM = '\ufeff'
let gw: Hs256Gateway

before(async () => {
  gw = await hs256Gateway()
})

after(() => gw?.close())

/** The status for a well-signed token of these header and claims texts. */
const status = async (header: string, claims: string) => (await gw.call(compactToken(header, claims))).status

describe('auth/validator: a byte order mark before the JSON', () => {
  test('in the claims or the header the token is refused; whitespace there is fine', async () => {
    const header = '{"alg":"HS256","kid":"sym"}'
    const claims = `{"sub":"a","exp":${Math.floor(Date.now() / 1000) + 300}}`
    assert.equal(await status(header, claims), 200)
    assert.equal(await status(header, ` ${claims}\n`), 200)
    assert.equal(await status(header, BOM + claims), 401)
    assert.equal(await status(BOM + header, claims), 401)
  })
})
