import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

// A router Lua script that sets or removes Content-Length changes Go's header map only (the body is
// framed as the client sent it), but lura sizes the backend request by the forwarded map line:
// another size fails the call (Go: ContentLength=5 with Body length 3), none or no number sends the
// body chunked.
let backend: TestBackend
let gateway: Running

before(async () => {
  backend = await startBackend('api')
  const endpoint = (path: string, inputHeaders: string[], pre: string) => ({
    endpoint: path,
    method: 'POST',
    input_headers: inputHeaders,
    extra_config: { 'modifier/lua-endpoint': { pre: `local r = ctx.load(); ${pre}` } },
    backend: [{ host: [backend.origin], url_pattern: '/echo' }],
  })
  gateway = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        endpoint('/five', ['Content-Length'], "r:headers('Content-Length', '5')"),
        endpoint('/word', ['*'], "r:headers('Content-Length', 'x')"),
        endpoint('/removed', ['Content-Length'], "r:headers('Content-Length', nil)"),
        endpoint('/unlisted', ['X-A'], "r:headers('Content-Length', '5')"),
      ],
    }),
  )
})

after(async () => {
  await gateway?.close()
  await backend?.close()
})

const post = async (path: string) => {
  const before = backend.seen.length
  const res = await send(gateway.url, {
    path,
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'abc',
  })
  return { status: res.status, seen: backend.seen.slice(before) }
}

describe('a Content-Length a router Lua script writes', () => {
  test('forwarded and not the body size: the backend call fails unsent', async () => {
    const five = await post('/five')
    assert.equal(five.status, 500)
    assert.equal(five.seen.length, 0)
  })

  test('forwarded with no number, or removed: the body goes out chunked', async () => {
    for (const path of ['/word', '/removed']) {
      const { status, seen } = await post(path)
      assert.equal(status, 200, path)
      assert.equal(seen[0]?.headers['transfer-encoding'], 'chunked', path)
      assert.equal(seen[0]?.body, 'abc')
    }
  })

  test('not forwarded: lura has no length for it either, chunked as without the script', async () => {
    const { status, seen } = await post('/unlisted')
    assert.equal(status, 200)
    assert.equal(seen[0]?.headers['transfer-encoding'], 'chunked')
    assert.equal(seen[0]?.body, 'abc')
  })
})
