import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { sendRaw } from '../helpers.ts'
import { hs256PrivateGateway } from './hs256-private-gateway.ts'

// krakend-jose reads cookie_key with Go's Request.Cookie: each `;` part trimmed of ASCII space,
// tab, CR and LF only, the name before `=` trimmed too, the value's bytes 0x20-0x7e (no `"`, `;`,
// `\`), and no cookie at all once the request carries more than 3000 (Go 1.25's limit).
const alice = hs256PrivateGateway({ cookie_key: 'tk' })
const { gateway } = alice

/** The status for one Cookie line written as latin1 bytes (a `T` stands for the token). */
async function statusFor(cookie: string): Promise<number> {
  const head = 'GET /private HTTP/1.1\r\nHost: a\r\nConnection: close\r\nCookie: '
  const bytes = Buffer.from(`${head}${cookie.replace('T', alice.token)}\r\n\r\n`, 'latin1')
  return (await sendRaw(gateway.url, bytes)).status
}

describe('auth/validator: the cookie_key cookie as Go parses Cookie lines', () => {
  test('a space or tab before "=" is trimmed off the name: the cookie is found', async () => {
    assert.equal(await statusFor('tk =T'), 200)
    assert.equal(await statusFor('tk\t=T'), 200)
  })

  test('a 0xA0 byte is no space for Go: around the name the cookie is another one, in the value it is invalid', async () => {
    assert.equal(await statusFor('\u00a0tk=T'), 401)
    assert.equal(await statusFor('x=1;\u00a0tk=T'), 401)
    assert.equal(await statusFor('tk=T\u00a0'), 401)
    assert.equal(await statusFor('tk=T\u00a0; x=1'), 401)
  })

  test('more than 3000 cookies: none is read', async () => {
    const others = (n: number) => Array.from({ length: n }, (_, i) => `c${i}=1`).join('; ')
    assert.equal(await statusFor(`tk=T; ${others(2999)}`), 200)
    assert.equal(await statusFor(`tk=T; ${others(3000)}`), 401)
  })
})
