// modifier/lua-proxy wraps validation/cel and validation/json-schema in KrakenD's proxy stack: with
// skip_next it never calls them, so neither refuses anything (checked with krakend-diff lua-stack
// against KrakenD CE 2.13.8). This runtime refused the combination before.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

let backend: TestBackend
let gw: Running

before(async () => {
  backend = await startBackend('b')
  const checks = {
    'validation/cel': [{ check_expr: "req_method == 'GET'" }, { check_expr: 'resp_completed == false' }],
    'validation/json-schema': { type: 'object', required: ['name'] },
  }
  const lua = (skip_next: boolean) => ({
    skip_next,
    post: "local r = response.load(); r:data():set('lua', 'answered'); r:isComplete(true)",
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [true, false].map((skip) => ({
        endpoint: skip ? '/skip' : '/call',
        method: 'POST',
        extra_config: { 'modifier/lua-proxy': lua(skip), ...checks },
        backend: [{ host: [backend.origin], url_pattern: '/x' }],
      })),
    }),
  )
})

after(async () => {
  await gw?.close()
  await backend?.close()
})

test('skip_next: the script answers, CEL and JSON schema never run', async () => {
  const res = await send(gw.url, { method: 'POST', path: '/skip', body: '[1]' })
  assert.equal(res.status, 200)
  assert.deepEqual(JSON.parse(res.text), { lua: 'answered' })
  assert.equal(backend.seen.length, 0)
})

test('without skip_next the same checks refuse the request', async () => {
  const res = await send(gw.url, { method: 'POST', path: '/call', body: '{"name":"x"}' })
  assert.equal(res.status, 500)
  assert.match(res.text, /evaluator #0/)
})
