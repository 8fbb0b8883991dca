// string.upper and string.lower are Go's strings.ToUpper/ToLower in gopher-lua: one rune to one by
// Unicode 15's simple mappings. JavaScript's full mappings left ᾳ as it was (its capital is two
// runes there; Go's ᾼ), and Node's Unicode 16 gave ƛ and Ꟛ each other, which Go 1.25 does not
// know. Values (the bytes in hex) from KrakenD CE 2.13.8, run by hand.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { goToLower, goToTitle, goToUpper } from '../../src/gateway/go-unicode-case.ts'
import { describeLuaValues } from './lua-expressions.ts'

const hexOf = (call: string) => `string.format('%x', ${call})`

const values: Array<[string, string]> = [
  [hexOf("string.upper('\\225\\190\\179')"), 'e1bebc'],
  [hexOf("string.upper('\\198\\155')"), 'c69b'],
  [hexOf("string.lower('\\234\\159\\156')"), 'ea9f9c'],
  [hexOf("string.lower('\\196\\176A')"), '6961'],
  [hexOf("string.upper('\\199\\134\\195\\159')"), 'c784c39f'],
  [hexOf("string.lower('\\225\\178\\144')"), 'e18390'],
]

describeLuaValues(
  "gopher-lua's string.upper and string.lower",
  'each call gives the bytes gopher-lua gives',
  values,
)

test('go-unicode-case.ts maps as Go 1.25 does where JavaScript differs', () => {
  assert.equal(goToUpper('ᾳß'), 'ᾼß')
  assert.equal(goToLower('İꟜΣ'), 'iꟜσ')
  assert.equal(goToTitle('ǆa'), 'ǅA')
})
