// go-jose's NumericDate at the end of time.Unix's range: a date truncates to an int64 and
// time.Unix adds 62135596800 s to it, wrapping to the distant past above 2^63 - 1 - 62135596800.
// The double 9223371974719178752 (what "9223371974719179007" parses to) still fits: on KrakenD CE
// 2.13.8 an exp there is far in the future (200) and an nbf there is not valid yet (401). This
// runtime took it as wrapped: that exp was refused and that nbf let through.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { servedValidator } from './jwt-served.ts'

const { status } = servedValidator()

/** The double nearest 2^63 - 1 - 62135596800: 9223371974719178752 (doubles there are 1024 apart). */
const LAST = 2 ** 63 - 62_135_596_800

describe('auth/validator dates at the end of time.Unix', () => {
  test('the last date that fits is far in the future', async () => {
    assert.equal(await status({ aud: 'api', exp: LAST }), 200)
    assert.equal(await status({ aud: 'api', nbf: LAST }), 401)
  })

  test('the next double wraps to the distant past', async () => {
    assert.equal(await status({ aud: 'api', exp: LAST + 1024 }), 401)
    assert.equal(await status({ aud: 'api', nbf: LAST + 1024 }), 200)
  })
})
