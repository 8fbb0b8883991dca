// auth/client-credentials failures as KrakenD CE words them (router.return_error_msg shows them to
// the client), found by differential fuzzing: json.Unmarshal's syntax and type errors for the token
// answer, and url.Error's strconv.Quote of the backend URL.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { mustConfig, type Running, send, startGateway } from '../helpers.ts'

/** Token endpoint answers by path (JSON unless a type is given). */
const TOKEN = '{"access_token":"x","expires_in":60}'
const padded = (zeros: number) => Buffer.concat([gzipSync(TOKEN), Buffer.alloc(zeros)])
/** The token gzip with a file name (FNAME) of `length` bytes in its header: Go's buffer holds 512. */
const named = (length: number) => {
  const member = gzipSync(TOKEN)
  const header = Buffer.from(member.subarray(0, 10))
  header[3] = (header[3] as number) | 0x08
  return Buffer.concat([header, Buffer.from(`${'n'.repeat(length)}\0`, 'latin1'), member.subarray(10)])
}
const ANSWERS: Record<string, { status: number; body: string | Buffer; type?: string; gzip?: true }> = {
  '/not-gzip': { status: 200, body: 'garbage', gzip: true },
  '/padded': { status: 200, body: padded(16), gzip: true },
  '/padded-short': { status: 200, body: padded(3), gzip: true },
  '/long-name': { status: 200, body: named(600), gzip: true },
  '/syntax': { status: 200, body: '{"access_token":"a\tb"}' },
  '/number': { status: 200, body: '{"access_token":1,"expires_in":60}' },
  '/array': { status: 200, body: '[1]' },
  '/trailing': { status: 200, body: '{"access_token":"x"} y' },
  '/expiry-text': { status: 200, body: '{"access_token":"x","expires_in":"a\\u0062c"}' },
  '/expiry-bool': { status: 200, body: '{"access_token":"x","expires_in":true}' },
  '/escape': { status: 200, body: 'access_token=a%zz', type: 'application/x-www-form-urlencoded' },
  '/control': { status: 200, body: '{"access_token":"a\\r\\nX-Injected: 1","expires_in":60}' },
  '/down': { status: 500, body: 'down' },
}

let idp: Server
let gw: Running
let backendPort: number

before(async () => {
  idp = createServer((req, res) => {
    req.resume()
    const answer = ANSWERS[req.url ?? ''] ?? { status: 404, body: '' }
    const headers: Record<string, string> = { 'content-type': answer.type ?? 'application/json' }
    if (answer.gzip) headers['content-encoding'] = 'gzip'
    res.writeHead(answer.status, headers).end(answer.body)
  })
  idp.listen(0, '127.0.0.1')
  await new Promise((resolve) => idp.once('listening', resolve))
  const tokenOrigin = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`
  // No backend is ever called: the idp's port stands in for it.
  backendPort = (idp.address() as AddressInfo).port
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: Object.keys(ANSWERS).map((path) => ({
        endpoint: `${path}/{id}`,
        backend: [
          {
            host: [`http://127.0.0.1:${backendPort}`],
            url_pattern: '/b?y={id}',
            extra_config: {
              'auth/client-credentials': {
                client_id: 'c',
                client_secret: 's',
                token_url: `${tokenOrigin}${path}`,
              },
            },
          },
        ],
      })),
    }),
  )
})

after(async () => {
  await gw?.close()
  idp?.close()
})

const failure = async (path: string) => {
  const res = await send(gw.url, { path })
  assert.equal(res.status, 500)
  return res.text
}

test('a token answer json.Unmarshal refuses is worded as Go words it (JavaScript JSON.parse and made-up texts were shown)', async () => {
  const at = `Get "http://127.0.0.1:${backendPort}/b?y=x": oauth2: cannot parse json: `
  assert.equal(await failure('/syntax/x'), `${at}invalid character '\\t' in string literal`)
  assert.equal(await failure('/trailing/x'), `${at}invalid character 'y' after top-level value`)
  assert.equal(
    await failure('/number/x'),
    `${at}json: cannot unmarshal number into Go struct field tokenJSON.access_token of type string`,
  )
  assert.equal(
    await failure('/array/x'),
    `${at}json: cannot unmarshal array into Go value of type internal.tokenJSON`,
  )
  assert.equal(
    await failure('/expiry-text/x'),
    `${at}json: invalid number literal, trying to unmarshal "\\"a\\\\u0062c\\"" into Number`,
  )
  assert.equal(
    await failure('/expiry-bool/x'),
    `${at}json: cannot unmarshal bool into Go struct field tokenJSON.expires_in of type json.Number`,
  )
})

test("a form answer with a bad escape fails with url.ParseQuery's EscapeError (the whole piece was named)", async () => {
  assert.equal(
    await failure('/escape/x'),
    `Get "http://127.0.0.1:${backendPort}/b?y=x": oauth2: cannot parse response: invalid URL escape "%zz"`,
  )
})

test("a token holding a control character fails each call as Go's transport refuses the header (undici's words were shown)", async () => {
  assert.equal(
    await failure('/control/x'),
    `Get "http://127.0.0.1:${backendPort}/b?y=x": net/http: invalid header field value for "Authorization"`,
  )
})

test('the backend URL in a token failure is quoted as strconv.Quote does (a `"` and bytes that are not UTF-8 were written raw)', async () => {
  const tail = 'oauth2: cannot fetch token: 500 Internal Server Error\nResponse: down'
  assert.equal(await failure('/down/%22'), `Get "http://127.0.0.1:${backendPort}/b?y=\\"": ${tail}`)
  assert.equal(await failure('/down/%C3%A9%FF'), `Get "http://127.0.0.1:${backendPort}/b?y=é\\xff": ${tail}`)
})

test("an answer marked gzip that is not gzip fails the token request as Go's transport words it (its bytes were read as JSON)", async () => {
  assert.equal(
    await failure('/not-gzip/x'),
    `Get "http://127.0.0.1:${backendPort}/b?y=x": oauth2: cannot fetch token: gzip: invalid header`,
  )
})

test("zero bytes after the token's gzip member fail the token request: Go reads them as the next member's header (zlib took them for padding and the backend was called)", async () => {
  const at = `Get "http://127.0.0.1:${backendPort}/b?y=x": oauth2: cannot fetch token: `
  assert.equal(await failure('/padded/x'), `${at}gzip: invalid header`)
  assert.equal(await failure('/padded-short/x'), `${at}unexpected EOF`)
})

test("a gzip name past Go's 512-byte header buffer fails the token request (zlib read it)", async () => {
  const at = `Get "http://127.0.0.1:${backendPort}/b?y=x": oauth2: cannot fetch token: `
  assert.equal(await failure('/long-name/x'), `${at}gzip: invalid header`)
})
