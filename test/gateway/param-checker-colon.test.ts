// An endpoint path may name gin's parameters itself (`/c/:p`, `/d/x:y/z`): lura extracts only `{p}`,
// so the backend never sees them, but gin routes them as wildcards and lura's paramChecker reads
// every parameter gin collected. KrakenD 2.13.8 answers GET /c/%3F and POST /d/x%3F/z 400 `error:
// encoded url params` before any backend call (found by krakend-diff routegen SEED=350 ODD=0.3), and
// GET /h/%3F too when router.health_path is /h/:x.
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
      extra_config: { router: { health_path: '/h/:x' } },
      endpoints: [
        { endpoint: '/c/:p', method: 'GET', backend: [{ host, url_pattern: '/b' }] },
        { endpoint: '/d/x:y/z', method: 'POST', backend: [{ host, url_pattern: '/b' }] },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

test('a parameter written as :name is checked like a {name} one', async () => {
  for (const [method, path] of [
    ['GET', '/c/%3F'],
    ['GET', '/c/a%23b'],
    ['GET', '/c/%2541'],
    ['POST', '/d/x%3F/z'],
  ] as const) {
    const res = await send(gw.url, { method, path })
    assert.equal(res.status, 400, path)
    assert.equal(res.text, 'error: encoded url params', path)
  }
  assert.equal(backend.requests.length, 0)
})

test('plain values still reach the backend', async () => {
  const before = backend.requests.length
  let res = await send(gw.url, { path: '/c/ok' })
  assert.equal(res.status, 200)
  res = await send(gw.url, { method: 'POST', path: '/d/xab/z' })
  assert.equal(res.status, 200)
  assert.equal(backend.requests.length, before + 2)
})

test('a health_path written with :x is checked too', async () => {
  let res = await send(gw.url, { path: '/h/%3F' })
  assert.equal(res.status, 400)
  assert.equal(res.text, 'error: encoded url params')
  res = await send(gw.url, { path: '/h/ok' })
  assert.equal(res.status, 200)
})
