import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

// Go's JSON decoder refuses a byte order mark before a value ("invalid character 'ï' looking for
// beginning of value"), so KrakenD refuses a well-signed token whose header or claims JSON starts
// with one; TextDecoder drops a leading BOM by default, and the token passed.
const SECRET = Buffer.from('a-symmetric-secret-of-32-bytes!!')
const BOM = '\ufeff'
let dir: string
let backend: TestBackend
let gateway: Running

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-bom-'))
  const jwks = join(dir, 'jwks.json')
  await writeFile(
    jwks,
    JSON.stringify({ keys: [{ kty: 'oct', kid: 'sym', k: SECRET.toString('base64url') }] }),
  )
  backend = await startBackend('api')
  gateway = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/private',
          extra_config: {
            'auth/validator': { alg: 'HS256', jwk_local_path: jwks, disable_jwk_security: true },
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
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** The status for a well-signed token of these header and claims texts. */
async function status(header: string, claims: string): Promise<number> {
  const h = Buffer.from(header).toString('base64url')
  const p = Buffer.from(claims).toString('base64url')
  const token = `${h}.${p}.${createHmac('sha256', SECRET).update(`${h}.${p}`).digest('base64url')}`
  return (await send(gateway.url, { path: '/private', headers: { authorization: `Bearer ${token}` } })).status
}

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
