// A script's answer headers go out as Go's server writes them (checked against KrakenD CE 2.13.8):
// a name that is no HTTP token (`Bad Name`, `Bad:Name`, `Bäd`, ``) is left out and the answer is
// served (this runtime answered 500 over HTTP/1.1 and reset the h2c stream); over HTTP/1.1 CR and LF
// in a value become spaces, over h2c such a value is left out; a value's bytes go out as the script's
// bytes (`caf\195\169` is c3 a9 on the wire, not é as one latin1 byte).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, rawRequest, send, sendRaw, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

const SCRIPTS: Record<string, string> = {
  '/names':
    "r:headers('Bad Name', 'v'); r:headers('Bad:Name', 'v'); r:headers('B\\195\\164d', 'v'); r:headers('', 'v')",
  '/newlines': "r:headers('X-Nl', 'a\\nb\\r\\nc')",
  '/control': "r:headers('X-Ctl', 'a\\1b')",
  '/bytes': "r:headers('X-Hi', 'caf\\195\\169'); r:headers('X-Raw', 'a\\255b')",
}

let backend: RawBackend
let gw: Running
before(async () => {
  backend = await startRawBackend()
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: Object.entries(SCRIPTS).map(([endpoint, script]) => ({
        endpoint,
        backend: [
          {
            host: [backend.origin],
            url_pattern: '/b',
            extra_config: {
              'modifier/lua-backend': {
                post: `local r = response.load(); ${script}; r:headers('X-Ok', 'y')`,
              },
            },
          },
        ],
      })),
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const h1 = (path: string) => sendRaw(gw.url, rawRequest([`GET ${path} HTTP/1.1`, 'Host: gw']))

test('HTTP/1.1: header names Go cannot write are left out, the answer served', async () => {
  const { status, head } = await h1('/names')
  assert.equal(status, 200)
  assert.match(head, /\r\nX-Ok: y\r\n/)
  assert.doesNotMatch(head, /Bad|B\u00c3\u00a4d|\r\n: v/)
})

test('HTTP/1.1: CR and LF in a value are spaces; another control character leaves the value out', async () => {
  assert.match((await h1('/newlines')).head, /\r\nX-Nl: a b {2}c\r\n/)
  const control = await h1('/control')
  assert.equal(control.status, 200)
  assert.match(control.head, /\r\nX-Ok: y\r\n/)
  assert.doesNotMatch(control.head, /X-Ctl/)
})

test("HTTP/1.1: a value is the script's bytes", async () => {
  const { head } = await h1('/bytes')
  assert.match(head, /\r\nX-Hi: caf\u00c3\u00a9\r\n/)
  assert.match(head, /\r\nX-Raw: a\u00ffb\r\n/)
})

test('h2c: bad names and values with CR, LF or another control character are left out, bytes kept', async () => {
  for (const path of ['/names', '/newlines', '/control']) {
    const res = await send(gw.url, { path, http2: true })
    assert.equal(res.status, 200, path)
    assert.equal(res.headers['x-ok'], 'y', path)
    assert.deepEqual(
      Object.keys(res.headers).filter((name) => /bad|b\u00c3\u00a4d|x-nl|x-ctl/i.test(name) || name === ''),
      [],
      path,
    )
  }
  const bytes = await send(gw.url, { path: '/bytes', http2: true })
  assert.equal(bytes.headers['x-hi'], 'caf\u00c3\u00a9')
  assert.equal(bytes.headers['x-raw'], 'a\u00ffb')
})
