// router.auto_options: lura registers OPTIONS on each endpoint path (200, `Allow` with its methods,
// sorted) on the same engine as its paramChecker middleware, which runs first: a parameter that
// would decode further or holds `?`/`#` is refused there too (lura's router/gin engine.go, router.go).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

let backend: RawBackend
let gw: Running

before(async () => {
  backend = await startRawBackend()
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { auto_options: true } },
      endpoints: [
        { endpoint: '/o/{x}', method: 'POST', backend: [{ host, url_pattern: '/b' }] },
        { endpoint: '/o/{x}', method: 'GET', backend: [{ host, url_pattern: '/b' }] },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

test("lura's paramChecker refuses an encoded parameter before the OPTIONS handler; a plain one gets Allow", async () => {
  for (const path of ['/o/%3F', '/o/a%2523', '/o/%23']) {
    const res = await send(gw.url, { method: 'OPTIONS', path })
    assert.equal(res.status, 400, path)
    assert.equal(res.text, 'error: encoded url params', path)
    assert.equal(res.headers.allow, undefined, path)
  }
  let res = await send(gw.url, { method: 'OPTIONS', path: '/o/%25zz' })
  assert.equal(res.status, 400)
  assert.equal(res.text, 'error: invalid URL escape "%zz"')
  // a plain one is answered: 200, the path's methods
  res = await send(gw.url, { method: 'OPTIONS', path: '/o/v' })
  assert.equal(res.status, 200)
  assert.equal(res.headers.allow, 'GET, POST')
  assert.equal(res.text, '')
  assert.equal(backend.requests.length, 0)
})
