import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:http2'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { SignJWT } from 'jose'
import { sendRawH2 } from './h2-raw-client.ts'
import { mustConfig, type Running, rawRequest, sendRaw, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

// Over h2c the guards read the request's fields as Go's HTTP/2 server hands them over: a value with
// leading or trailing spaces is kept as sent (nghttp2's RFC 9113 check would drop the whole field),
// and every field of a repeated name is kept (node:http2 keeps only the first of some names).
const secret = new TextEncoder().encode('a-symmetric-secret-of-32-bytes!!')
const token = () =>
  new SignJWT({ sub: 'alice' })
    .setProtectedHeader({ alg: 'HS256', kid: 'sym' })
    .setIssuer('https://issuer.example')
    .setAudience('api')
    .setExpirationTime('5m')
    .sign(secret)

let dir: string
let backend: RawBackend
let gateway: Running

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gw-h2-fields-'))
  const jwks = join(dir, 'jwks.json')
  const k = Buffer.from(secret).toString('base64url')
  await writeFile(jwks, JSON.stringify({ keys: [{ kty: 'oct', kid: 'sym', alg: 'HS256', k }] }))
  backend = await startRawBackend()
  const to = (path: string) => [{ host: [backend.origin], url_pattern: path }]
  gateway = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { 'security/bot-detector': { patterns: ['evil'] } },
      endpoints: [
        { endpoint: '/open', input_headers: ['*'], backend: to('/open') },
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
          backend: to('/private'),
        },
        {
          endpoint: '/one-etag',
          input_headers: ['If-None-Match'],
          extra_config: { 'validation/cel': [{ check_expr: "size(req_headers['If-None-Match']) < 2" }] },
          backend: to('/one-etag'),
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

/** One h2c request with these fields (a list value sends one field per item); the status. */
async function h2Status(path: string, fields: Record<string, string | string[]>): Promise<number> {
  const session = connect(gateway.url)
  try {
    return await new Promise<number>((resolve, reject) => {
      session.on('error', reject)
      const stream = session.request({ ':path': path, ...fields })
      stream.on('response', (h) => resolve(Number(h[':status'])))
      stream.on('error', reject)
      stream.resume()
      stream.end()
    })
  } finally {
    session.close()
  }
}

describe('h2c: field values with outer spaces', () => {
  test("a User-Agent ' evilbot' is the bot detector's to judge (it was dropped: no User-Agent, let through)", async () => {
    assert.equal(await h2Status('/open', { 'user-agent': ' evilbot' }), 403)
    assert.equal(await h2Status('/open', { 'user-agent': 'evilbot\t' }), 403)
    assert.equal(await h2Status('/open', { 'user-agent': ' fine' }), 200)
  })

  test("Authorization 'Bearer ' is a token that fails, not a missing one: the cookie is not read", async () => {
    const good = await token()
    assert.equal(await h2Status('/private', { cookie: `tk=${good}` }), 200)
    assert.equal(await h2Status('/private', { authorization: 'Bearer ', cookie: `tk=${good}` }), 401)
    assert.equal(await h2Status('/private', { authorization: ` Bearer ${good}` }), 401)
  })

  test('the backend gets such a value trimmed, as Go writes every header line', async () => {
    assert.equal(await h2Status('/open', { 'x-padded': ' a b\t', 'user-agent': ' agent ' }), 200)
    assert.deepEqual(backend.lines('X-Padded'), ['X-Padded: a b'])
    assert.deepEqual(backend.lines('User-Agent'), ['User-Agent: agent'])
  })
})

describe('h2c: repeated fields node:http2 keeps one of', () => {
  const request = (path: string, ...fields: Array<[string, string]>) =>
    sendRawH2(gateway.url, [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':authority', 'a'],
      [':path', path],
      ...fields,
    ])

  test('every If-None-Match and Dnt field reaches the backend', async () => {
    const answer = await request(
      '/open',
      ['if-none-match', '"a"'],
      ['if-none-match', '"b"'],
      ['dnt', '1'],
      ['dnt', '0'],
    )
    assert.equal(answer.status, 200)
    assert.deepEqual(backend.lines('If-None-Match'), ['If-None-Match: "a"', 'If-None-Match: "b"'])
    assert.deepEqual(backend.lines('Dnt'), ['Dnt: 1', 'Dnt: 0'])
  })

  test('a CEL check counting the fields sees them all, over h2c as over HTTP/1.1', async () => {
    const h1 = await sendRaw(
      gateway.url,
      rawRequest(['GET /one-etag HTTP/1.1', 'Host: a', 'If-None-Match: "a"', 'If-None-Match: "b"']),
    )
    assert.equal(h1.status, 500)
    const before = backend.requests.length
    assert.equal((await request('/one-etag', ['if-none-match', '"a"'], ['if-none-match', '"b"'])).status, 500)
    assert.equal(backend.requests.length, before, 'the backend was not called')
    assert.equal((await request('/one-etag', ['if-none-match', '"a"'])).status, 200)
  })
})
