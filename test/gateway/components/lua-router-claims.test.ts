import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { SignJWT } from 'jose'
import { tempDir } from '../../helpers/files.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

// krakend-jose sets propagate_claims on the client's request before the endpoint's router Lua runs
// (krakend-ce chains JWT, then router Lua): the script reads the claim, never the client's own
// line, and what it writes is what the backend gets.

const secret = new TextEncoder().encode('a-symmetric-secret-of-32-bytes!!')
const token = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).setExpirationTime('5m').sign(secret)

describe('modifier/lua-endpoint with auth/validator propagate_claims on the same endpoint', () => {
  let backend: TestBackend
  let gateway: Running
  before(async () => {
    const jwks = join(tempDir('lua-router-claims-'), 'jwks.json')
    const k = Buffer.from(secret).toString('base64url')
    await writeFile(jwks, JSON.stringify({ keys: [{ kty: 'oct', k, kid: 'k1', alg: 'HS256' }] }))
    const validator = {
      alg: 'HS256',
      jwk_local_path: jwks,
      disable_jwk_security: true,
      propagate_claims: [['sub', 'X-Sub']],
    }
    backend = await startBackend('api')
    const endpoint = (path: string, pre: string) => ({
      endpoint: path,
      input_headers: ['X-Sub', 'X-Seen'],
      extra_config: { 'auth/validator': validator, 'modifier/lua-endpoint': { pre } },
      backend: [{ host: [backend.origin], url_pattern: '/echo' }],
    })
    gateway = await startGateway(
      mustConfig({
        version: 3,
        endpoints: [
          endpoint(
            '/seen',
            'local r = ctx.load(); if r:headers("X-Sub") == "eve" then custom_error("no eve", 403) end; r:headers("X-Seen", "lua saw " .. r:headers("X-Sub"))',
          ),
          endpoint('/rewritten', 'ctx.load():headers("X-Sub", "from-lua")'),
        ],
      }),
    )
  })
  after(async () => {
    await gateway?.close()
    await backend?.close()
  })

  const get = async (path: string, sub: string, clientSub?: string) =>
    send(gateway.url, {
      path,
      headers: {
        authorization: `Bearer ${await token({ sub })}`,
        ...(clientSub === undefined ? {} : { 'x-sub': clientSub }),
      },
    })

  test('the script reads the claim in place of the header the client sent', async () => {
    const answer = await get('/seen', 'alice', 'mallory')
    assert.equal(answer.status, 200)
    const sent = backend.seen.at(-1)
    assert.equal(sent?.headers['x-sub'], 'alice')
    assert.equal(sent?.headers['x-seen'], 'lua saw alice')
  })

  test('a script guard on the claim cannot be talked round by a client header', async () => {
    const before = backend.seen.length
    assert.equal((await get('/seen', 'eve', 'alice')).status, 403)
    assert.equal(backend.seen.length, before, 'refused before any backend call')
  })

  test('what the script writes over the claim is what the backend gets', async () => {
    assert.equal((await get('/rewritten', 'alice', 'mallory')).status, 200)
    assert.equal(backend.seen.at(-1)?.headers['x-sub'], 'from-lua')
  })
})
