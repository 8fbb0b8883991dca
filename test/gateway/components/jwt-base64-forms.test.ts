import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { b64, type Hs256Gateway, hs256, hs256Gateway } from './hs256-gateway.ts'

// go-jose reads each compact part with strings.TrimRight(part, "=") and Go's RawURLEncoding, which
// ignores the unused low bits of the last character, and it signs the parts encoded again: a token
// with padded parts, or a last character with other unused bits, is the same token to KrakenD.
let gw: Hs256Gateway
let parts: string[]

before(async () => {
  gw = await hs256Gateway()
  // Lengths that leave unused bits in the last character of every part (35, 40 and 32 bytes).
  const header = b64('{"alg":"HS256","kid":"sym","t":"a"}')
  const payload = b64(`{"sub":"alice","exp":${Math.floor(Date.now() / 1000) + 300}}`)
  parts = [header, payload, hs256(`${header}.${payload}`)]
  assert.ok(parts.every((p) => p.length % 4 !== 0))
})

after(() => gw?.close())

const status = async (token: string) => (await gw.call(token)).status

/** The part with its last character's unused low bits set: another text for the same bytes. */
function otherBits(part: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const unused = part.length % 4 === 2 ? 0b1111 : 0b11
  const last = alphabet.indexOf(part.at(-1) as string)
  return part.slice(0, -1) + alphabet[last | unused]
}

describe('auth/validator: base64url forms of a compact JWS', () => {
  test('the canonical token verifies', async () => {
    assert.equal(await status(parts.join('.')), 200)
  })

  test('padded header, payload or signature verify ("=" trimmed, any number)', async () => {
    const [h, p, s] = parts as [string, string, string]
    assert.equal(await status(`${h}==.${p}.${s}`), 200)
    assert.equal(await status(`${h}.${p}=.${s}`), 200)
    assert.equal(await status(`${h}.${p}.${s}===`), 200)
  })

  test('a last character with other unused bits verifies, in any part', async () => {
    const [h, p, s] = parts as [string, string, string]
    assert.notEqual(otherBits(h), h)
    assert.equal(await status(`${otherBits(h)}.${p}.${s}`), 200)
    assert.equal(await status(`${h}.${otherBits(p)}.${s}`), 200)
    assert.equal(await status(`${h}.${p}.${otherBits(s)}`), 200)
  })

  test('an "=" inside a part, a "+" or a part one character too long is still refused', async () => {
    const [h, p, s] = parts as [string, string, string]
    assert.equal(await status(`${h.slice(0, 4)}=${h.slice(4)}.${p}.${s}`), 401)
    assert.equal(await status(`${h}.${p}.+${s.slice(1)}`), 401)
    let long = s
    while (long.length % 4 !== 1) long += 'A'
    assert.equal(await status(`${h}.${p}.${long}`), 401)
  })
})
