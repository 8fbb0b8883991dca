// What a later backend of a sequential proxy receives from an earlier backend's answer, compared
// with lura's sequential merger and Go's url.Parse on the same answers (expected requests
// produced by lura's proxy package with Go 1.26's net/url).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

let backend: RawBackend
let gw: Running

before(async () => {
  backend = await startRawBackend({ '/first': JSON.stringify({ ctl: 'a\nb', del: 'a\u007fb', ok: 'a b' }) })
  const host = [backend.origin]
  const chain = (endpoint: string, second: string) => ({
    endpoint,
    extra_config: { proxy: { sequential: true } },
    backend: [
      { host, url_pattern: '/first' },
      { host, url_pattern: second },
    ],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        chain('/ctl', '/second/{resp0_ctl}'),
        chain('/del', '/second/{resp0_del}'),
        chain('/ok', '/second/{resp0_ok}'),
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

test("a control character in an earlier answer's value fails the later call at Go's url.Parse: that backend sees nothing (it got the value escaped)", async () => {
  for (const path of ['/ctl', '/del']) {
    const before = backend.requests.length
    const res = await send(gw.url, { path })
    // lura's partial answer: the first backend's data, incomplete.
    assert.equal(res.status, 200, path)
    assert.equal(res.headers['x-krakend-completed'], 'false', path)
    assert.deepEqual(
      backend.requests.slice(before).map((r) => r.split(' ')[1]),
      ['/first'],
      `${path}: only the first backend is called`,
    )
  }
  // Other values still reach it, escaped for one path segment.
  const res = await send(gw.url, { path: '/ok' })
  assert.equal(res.headers['x-krakend-completed'], 'true')
  assert.equal(backend.head().split('\r\n')[0], 'GET /second/a%20b HTTP/1.1')
})
