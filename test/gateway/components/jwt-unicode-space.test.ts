import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { sendRaw } from '../helpers.ts'
import { hs256PrivateGateway } from './hs256-private-gateway.ts'

// go-jose's ParseSigned drops every rune unicode.IsSpace names from the token, after reading the
// header's bytes as UTF-8: a token cut by a UTF-8 no-break space, NEL or em space still verifies in
// KrakenD; a lone latin1 0xA0 byte is no rune (U+FFFD stays) and a zero-width space is no space.
const alice = hs256PrivateGateway()
const { gateway } = alice

/** The status for `Authorization: Bearer <token cut at 30 by sep>`, sep written in `encoding`. */
async function statusWith(sep: string, encoding: BufferEncoding): Promise<number> {
  const value = Buffer.concat([
    Buffer.from(`Bearer ${alice.token.slice(0, 30)}`),
    Buffer.from(sep, encoding),
    Buffer.from(alice.token.slice(30)),
  ])
  const head = Buffer.from('GET /private HTTP/1.1\r\nHost: a\r\nConnection: close\r\nAuthorization: ')
  return (await sendRaw(gateway.url, Buffer.concat([head, value, Buffer.from('\r\n\r\n')]))).status
}

describe('auth/validator: whitespace inside the token, as go-jose strips it', () => {
  test('UTF-8 no-break space, NEL, em space, ideographic space and line separator are dropped; a lone 0xA0 byte and a zero-width space are not', async () => {
    for (const sep of ['\u00a0', '\u0085', '\u2003', '\u3000', '\u2028'])
      assert.equal(await statusWith(sep, 'utf8'), 200, `U+${sep.charCodeAt(0).toString(16)}`)
    assert.equal(await statusWith('\u00a0', 'latin1'), 401)
    assert.equal(await statusWith('\u200b', 'utf8'), 401)
  })
})
