// router.disable_path_decoding leaves lura's paramChecker out: a parameter that decodes to a bad
// escape (`%25` is `%`) is not refused; only a backend whose URL path it lands in fails, as Go's
// url.Parse refuses that URL. Unused, or in the url_pattern's query, it goes out as it is.
// (Expected values from lura's router/gin engine.go and proxy balancing, checked against KrakenD.)
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
      extra_config: { router: { disable_path_decoding: true, return_error_msg: true } },
      endpoints: [
        { endpoint: '/unused/{x}', backend: [{ host, url_pattern: '/u' }] },
        { endpoint: '/query/{x}', backend: [{ host, url_pattern: '/q?k={x}' }] },
        { endpoint: '/path/{x}', backend: [{ host, url_pattern: '/p/{x}' }] },
        {
          endpoint: '/merge/{x}',
          backend: [
            { host, url_pattern: '/m1/{x}', group: 'one' },
            { host, url_pattern: '/m2', group: 'two' },
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

test('a parameter holding a bad escape that no backend path uses is forwarded, not refused', async () => {
  let res = await send(gw.url, { path: '/unused/%25' })
  assert.equal(res.status, 200, res.text)
  assert.equal(backend.head().split('\r\n')[0], 'GET /u HTTP/1.1')
  res = await send(gw.url, { path: '/query/a%25zz' })
  assert.equal(res.status, 200, res.text)
  assert.equal(backend.head().split('\r\n')[0], 'GET /q?k=a%zz HTTP/1.1')
})

test("in a backend's path it fails that call with url.Parse's error, and no backend sees it", async () => {
  const before = backend.requests.length
  const res = await send(gw.url, { path: '/path/%25' })
  assert.equal(res.status, 500)
  assert.equal(res.text, `parse "${backend.origin}/p/%": invalid URL escape "%"`)
  assert.equal(backend.requests.length, before)
})

test('in a merge only the backend whose path holds it fails: a partial answer', async () => {
  const res = await send(gw.url, { path: '/merge/%25' })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.headers['x-krakend-completed'], 'false')
  assert.equal(backend.head().split('\r\n')[0], 'GET /m2 HTTP/1.1')
})
