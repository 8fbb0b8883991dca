// modifier/lua-backend wraps the backend's validation/cel in KrakenD's backend stack (checked with
// krakend-diff lua-stack against KrakenD CE 2.13.8): CEL's req_ checks read the request the script's
// pre left, and its resp_ checks the backend's answer before the script's post changes it; a CEL
// refusal skips post. This runtime refused the combination before.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

let backend: TestBackend
let gw: Running

before(async () => {
  backend = await startBackend('b')
  const endpoint = (path: string, lua: { pre?: string; post?: string }, check: string, noop = false) => ({
    endpoint: path,
    ...(noop ? { output_encoding: 'no-op' } : {}),
    backend: [
      {
        host: [backend.origin],
        url_pattern: '/echo',
        ...(noop ? { encoding: 'no-op' } : {}),
        extra_config: { 'modifier/lua-backend': lua, 'validation/cel': [{ check_expr: check }] },
      },
    ],
  })
  const setHeader = "request.load():headers('X-Lua', 'set')"
  const markData = "response.load():data():set('lua', 'ran')"
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        endpoint('/sees-pre', { pre: setHeader }, "req_headers['X-Lua'][0] == 'set'"),
        endpoint('/refused', { pre: setHeader, post: markData }, "!('X-Lua' in req_headers)"),
        endpoint('/post-order', { post: markData }, "'lua' in resp_data"),
        endpoint('/noop', { pre: setHeader }, "'X-Lua' in req_headers", true),
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  await backend?.close()
})

test("CEL's req_ checks read the request the script's pre left", async () => {
  const res = await send(gw.url, { path: '/sees-pre' })
  assert.equal(res.status, 200)
  assert.equal(backend.seen.at(-1)?.headers['x-lua'], 'set')
})

test('a CEL refusal fails the call before it is made, and post does not run', async () => {
  const calls = backend.seen.length
  const res = await send(gw.url, { path: '/refused' })
  assert.equal(res.status, 500)
  assert.equal(res.text, 'request aborted by evaluator #0')
  assert.equal(backend.seen.length, calls)
})

test("CEL's resp_ checks see the backend's answer before post", async () => {
  const res = await send(gw.url, { path: '/post-order' })
  assert.equal(res.status, 500)
  assert.equal(res.text, 'request aborted by evaluator #0')
})

test('the same on a no-op endpoint', async () => {
  const res = await send(gw.url, { path: '/noop' })
  assert.equal(res.status, 200)
  assert.equal(backend.seen.at(-1)?.headers['x-lua'], 'set')
})
