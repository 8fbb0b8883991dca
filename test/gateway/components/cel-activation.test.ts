// validation/cel's request activation as lura builds it (found by the seeded differential fuzz of
// validation/cel): lura's config canonicalizes the input_headers names, so `"x-a"` is
// `req_headers['X-A']`; Go's transport adds `Accept-Encoding: gzip` on the wire only, so no
// backend-level expression sees it; `req_path` is Go's URL.Path, decoded byte by byte (a valid
// escape stays decoded beside an invalid UTF-8 one).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

let backend: TestBackend
let gw: Running

const endpoint = (
  path: string,
  expr: string,
  host: string[],
  level: 'endpoint' | 'backend',
  headers?: string[],
) => {
  const cel = { 'validation/cel': [{ check_expr: expr }] }
  return {
    endpoint: path,
    ...(headers ? { input_headers: headers } : {}),
    extra_config: level === 'endpoint' ? cel : {},
    backend: [{ host, url_pattern: '/echo', extra_config: level === 'backend' ? cel : {} }],
  }
}

before(async () => {
  backend = await startBackend('api')
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'cel-activation',
      endpoints: [
        endpoint('/lower', "'X-A' in req_headers && !('x-a' in req_headers)", host, 'endpoint', ['x-a']),
        endpoint('/lower-backend', "req_headers['X-A'][0] == '1'", host, 'backend', ['x-a']),
        endpoint('/gzip', "!('Accept-Encoding' in req_headers)", host, 'backend', ['*']),
        endpoint('/gzip-sent', "req_headers['Accept-Encoding'] == ['br']", host, 'backend', ['*']),
        endpoint('/gzip-endpoint', "!('Accept-Encoding' in req_headers)", host, 'endpoint', ['*']),
        endpoint('/p/{x}/{y}', "req_path == '/p/é/a b' && req_params.X == 'é'", host, 'endpoint'),
        endpoint('/q/{x}/{y}', "req_path.matches('^/q/é/.$') && size(req_path) == 6", host, 'endpoint'),
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const status = async (path: string, headers: Record<string, string> = {}) =>
  (await send(gw.url, { path, headers })).status

describe('validation/cel request activation', () => {
  test('input_headers names are canonical in req_headers', async () => {
    assert.equal(await status('/lower', { 'x-a': '1' }), 200)
    assert.equal(await status('/lower-backend', { 'X-A': '1' }), 200)
  })

  test("the transport's Accept-Encoding is not a request header", async () => {
    assert.equal(await status('/gzip'), 200)
    assert.equal(await status('/gzip-endpoint'), 200)
    assert.equal(await status('/gzip-sent', { 'accept-encoding': 'br' }), 200)
  })

  test('req_path is decoded as Go decodes URL.Path; a byte that is no UTF-8 is one character', async () => {
    assert.equal(await status('/p/%C3%A9/a%20b'), 200)
    assert.equal(await status('/q/%C3%A9/%ff'), 200)
  })
})
