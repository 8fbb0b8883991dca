// A param a proxy-level Lua script sets under a name lura did not title-case (r:params('extra', ..))
// is in lura's request params: krakend-cel's req_params and a later lua-backend script read it, as
// in KrakenD 2.13.8 (compared: see the commit message); it fills no url_pattern slot.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

let backend: TestBackend
let gw: Running
const setExtra = "local r = request.load(); r:params('extra', 'e')"
const readsExtra = [{ check_expr: "req_params.extra == 'e'" }]

before(async () => {
  backend = await startBackend('b')
  const echo = (extra: Record<string, unknown> = {}) => ({
    host: [backend.origin],
    url_pattern: '/echo',
    extra_config: extra,
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        {
          endpoint: '/backend-cel',
          extra_config: { 'modifier/lua-proxy': { pre: setExtra } },
          backend: [echo({ 'validation/cel': readsExtra })],
        },
        {
          endpoint: '/endpoint-cel',
          extra_config: { 'modifier/lua-proxy': { pre: setExtra }, 'validation/cel': readsExtra },
          backend: [echo()],
        },
        {
          endpoint: '/lua-backend',
          extra_config: { 'modifier/lua-proxy': { pre: setExtra } },
          backend: [
            echo({
              'modifier/lua-backend': {
                pre: "local r = request.load(); if r:params('extra') ~= 'e' then custom_error('not seen', 418) end",
              },
            }),
          ],
        },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  await backend?.close()
})

test("lua-proxy's r:params('extra', ..) reaches the backend's and the endpoint's validation/cel req_params", async () => {
  for (const path of ['/backend-cel', '/endpoint-cel']) {
    const res = await send(gw.url, { path })
    assert.equal(res.status, 200, `${path}: ${res.text}`)
    assert.equal(JSON.parse(res.text).url, '/echo')
  }
})

test("lua-proxy's r:params('extra', ..) is seen by a lua-backend script", async () => {
  const res = await send(gw.url, { path: '/lua-backend' })
  assert.equal(res.status, 200, res.text)
})
