// The backend URL lura builds (host + url_pattern with the parameters) goes through Go's url.Parse
// before any backend is called: what it refuses fails the call in its words, and no backend sees a
// request (expected messages produced by lura's proxy package with Go 1.26's net/url).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

let backend: RawBackend
let gw: Running

const PATTERNS = ['/a%zz/{x}', '/a%zz', '/a%4', '/{x}#%zz', '/c%2/x?y', '/b/%', '/a%{x}', '/{x}?q=%zz#a']

before(async () => {
  backend = await startRawBackend()
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: PATTERNS.map((url_pattern, i) => ({
        endpoint: `/e${i}/{x}`,
        backend: [{ host: [backend.origin], url_pattern }],
      })),
      extra_config: { router: { return_error_msg: true } },
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

test("a bad % escape in the url_pattern's path or fragment fails the call with url.Parse's error; no backend sees it (it was sent)", async () => {
  const origin = backend.origin
  const refused: Array<[path: string, message: string]> = [
    ['/e0/v', `parse "${origin}/a%zz/v": invalid URL escape "%zz"`],
    ['/e1/v', `parse "${origin}/a%zz": invalid URL escape "%zz"`],
    ['/e2/v', `parse "${origin}/a%4": invalid URL escape "%4"`],
    ['/e3/v', `parse "${origin}/v#%zz": invalid URL escape "%zz"`],
    ['/e4/v', `parse "${origin}/c%2/x?y": invalid URL escape "%2/"`],
    ['/e5/v', `parse "${origin}/b/%": invalid URL escape "%"`],
    ['/e6/v', `parse "${origin}/a%v": invalid URL escape "%v"`],
  ]
  for (const [path, message] of refused) {
    const res = await send(gw.url, { path })
    assert.equal(res.status, 500, path)
    assert.equal(res.text, message, path)
  }
  assert.equal(backend.requests.length, 0, 'no backend request')
  // An escape the parameter completes, and one in the query, go out as written.
  let res = await send(gw.url, { path: '/e6/41' })
  assert.equal(res.status, 200, res.text)
  assert.equal(backend.head().split('\r\n')[0], 'GET /a%41 HTTP/1.1')
  res = await send(gw.url, { path: '/e7/v' })
  assert.equal(res.status, 200, res.text)
  assert.equal(backend.head().split('\r\n')[0], 'GET /v?q=%zz HTTP/1.1')
})
