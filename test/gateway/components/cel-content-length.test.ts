import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

// Go's server keeps a client's Content-Length in the request's header map: lura copies it into its
// request where input_headers lists it (or is "*"), so CEL's req_headers has it. Go's client then
// writes the body's own length, never the map's line.
let backend: TestBackend
let gateway: Running

before(async () => {
  backend = await startBackend('api')
  const endpoint = (path: string, inputHeaders: string[], check: string) => ({
    endpoint: path,
    method: 'POST',
    input_headers: inputHeaders,
    extra_config: { 'validation/cel': [{ check_expr: check }] },
    backend: [{ host: [backend.origin], url_pattern: '/echo' }],
  })
  gateway = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        endpoint('/refuses', ['Content-Length'], "!('Content-Length' in req_headers)"),
        endpoint('/reads', ['Content-Length'], "req_headers['Content-Length'] == ['3']"),
        endpoint('/all', ['*'], "req_headers['Content-Length'] == ['3']"),
        endpoint('/unlisted', ['X-A'], "!('Content-Length' in req_headers)"),
      ],
    }),
  )
})

after(async () => {
  await gateway?.close()
  await backend?.close()
})

const post = (path: string) =>
  send(gateway.url, { path, method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'abc' })

describe("a client's Content-Length in CEL's req_headers", () => {
  test('forwarded, a check that it is absent refuses the request, as KrakenD does', async () => {
    const before = backend.seen.length
    assert.equal((await post('/refuses')).status, 500)
    assert.equal(backend.seen.length, before)
  })

  test('forwarded (by name or "*"), CEL reads its value; the backend gets one Content-Length, the body\'s', async () => {
    for (const path of ['/reads', '/all']) {
      const res = await post(path)
      assert.equal(res.status, 200, path)
      const seen = JSON.parse(res.text)
      assert.equal(seen.headers['content-length'], '3')
      assert.equal(seen.body, 'abc')
    }
  })

  test('not forwarded, lura has none', async () => {
    assert.equal((await post('/unlisted')).status, 200)
  })
})
