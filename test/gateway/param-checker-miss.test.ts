// lura's paramChecker is engine middleware (router/gin engine.go): gin runs it on a 404 and a 405
// too, with the parameters its lookup of the request's method collected before it missed (gin
// keeps them in c.Params). A 405's Allow is set before the middleware runs. It is the engine's first
// middleware: krakend-ce adds the components' (bot detector, security headers, Lua) after it.
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
      extra_config: { 'security/bot-detector': { deny: ['bad-bot'] } },
      endpoints: [
        { endpoint: '/m/{x}/lit', method: 'GET', backend: [{ host, url_pattern: '/b' }] },
        { endpoint: '/m/{x}/other', method: 'POST', backend: [{ host, url_pattern: '/b' }] },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

test('a miss after an encoded parameter is refused as the parameter, not 404', async () => {
  for (const path of ['/m/%3F/other', '/m/%3F/li', '/m/%23/lit/x']) {
    const res = await send(gw.url, { path })
    assert.equal(res.status, 400, path)
    assert.equal(res.text, 'error: encoded url params', path)
  }
  const res = await send(gw.url, { path: '/m/%25zz/x/y' })
  assert.equal(res.status, 400)
  assert.equal(res.text, 'error: invalid URL escape "%zz"')
})

test('a 405 after an encoded parameter is refused with the Allow gin set; with no route of the method, none', async () => {
  let res = await send(gw.url, { method: 'POST', path: '/m/%3F/lit' })
  assert.equal(res.status, 400)
  assert.equal(res.headers.allow, 'GET')
  assert.equal(res.text, 'error: encoded url params')
  // a method with no routes collects no parameters: 405 and 404 as usual
  res = await send(gw.url, { method: 'PUT', path: '/m/%3F/lit' })
  assert.equal(res.status, 405)
  res = await send(gw.url, { method: 'DELETE', path: '/m/%3F/zz' })
  assert.equal(res.status, 404)
  res = await send(gw.url, { path: '/m/a/b/c' })
  assert.equal(res.status, 404)
  assert.equal(backend.requests.length, 0)
})

test("it runs before the components' engine middleware (the bot detector's 403)", async () => {
  const headers = { 'user-agent': 'bad-bot' }
  let res = await send(gw.url, { path: '/m/%3F/lit', headers })
  assert.equal(res.status, 400)
  assert.equal(res.text, 'error: encoded url params')
  res = await send(gw.url, { path: '/m/ok/lit', headers })
  assert.equal(res.status, 403)
})
