import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { SignJWT } from 'jose'
import {
  mustConfig,
  type Running,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from '../helpers.ts'

// krakend-jose reads cookie_key with Go's Request.Cookie: each `;` part trimmed of ASCII space,
// tab, CR and LF only, the name before `=` trimmed too, the value's bytes 0x20-0x7e (no `"`, `;`,
// `\`), and no cookie at all once the request carries more than 3000 (Go 1.25's limit).
const secret = new TextEncoder().encode('a-symmetric-secret-of-32-bytes!!')
let token: string
let dir: string
let backend: TestBackend
let gateway: Running

before(async () => {
  token = await new SignJWT({ sub: 'alice' })
    .setProtectedHeader({ alg: 'HS256', kid: 'sym' })
    .setIssuer('https://issuer.example')
    .setAudience('api')
    .setExpirationTime('5m')
    .sign(secret)
  dir = await mkdtemp(join(tmpdir(), 'gw-jwt-cookie-'))
  const jwks = join(dir, 'jwks.json')
  const k = Buffer.from(secret).toString('base64url')
  await writeFile(jwks, JSON.stringify({ keys: [{ kty: 'oct', kid: 'sym', alg: 'HS256', k }] }))
  backend = await startBackend('api')
  gateway = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/private',
          extra_config: {
            'auth/validator': {
              alg: 'HS256',
              jwk_local_path: jwks,
              disable_jwk_security: true,
              issuer: 'https://issuer.example',
              audience: ['api'],
              cookie_key: 'tk',
            },
          },
          backend: [{ host: [backend.origin], url_pattern: '/echo' }],
        },
      ],
    }),
  )
})
after(async () => {
  await gateway?.close()
  await backend?.close()
  await rm(dir, { recursive: true, force: true })
})

/** The status for one Cookie line written as latin1 bytes (a `T` stands for the token). */
async function statusFor(cookie: string): Promise<number> {
  const head = 'GET /private HTTP/1.1\r\nHost: a\r\nConnection: close\r\nCookie: '
  const bytes = Buffer.from(`${head}${cookie.replace('T', token)}\r\n\r\n`, 'latin1')
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
