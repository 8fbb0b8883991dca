// A failed backend call's message quotes its URL as Go's url.Error does (`%s %q: %s`): a byte that
// is not UTF-8 as `\xff`, `"` and `\` escaped, an unprintable rune as `\u00a0` (a raw one reaches
// the query from a path parameter). Expected texts are what KrakenD CE 2.13.8 answered (router
// return_error_msg) and logged for these configs.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { freePort, linesLogger, mustConfig, type Running, send, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

let backend: RawBackend
let gw: Running
let closed: string
const logged: string[] = []

before(async () => {
  backend = await startRawBackend({ '/': '{"ok":true}' })
  closed = `http://127.0.0.1:${await freePort()}`
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        { endpoint: '/refused/{p}', backend: [{ host: [closed], url_pattern: '/r?x={p}' }] },
        {
          endpoint: '/seq/{p}',
          method: 'POST',
          input_headers: ['Content-Length'],
          extra_config: { proxy: { sequential: true } },
          backend: [
            { host, url_pattern: '/b0?x={p}', method: 'GET', group: 'g0' },
            { host, url_pattern: '/b1?x={p}', method: 'GET', group: 'g1' },
          ],
        },
      ],
    }),
    { logger: linesLogger(logged) },
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const CASES: Array<[string, string]> = [
  ['%FF', '\\xff'],
  ['%FE%FFz', '\\xfe\\xffz'],
  ['%22q%5C', '\\"q\\\\'],
  ['%C2%A0', '\\u00a0'],
  ['a%E2%80%8Bb', 'a\\u200bb'],
  ['%C3%A9', 'é'],
]

test("a refused call's message quotes the URL as Go's %q does", async () => {
  for (const [param, quoted] of CASES) {
    const res = await send(gw.url, { path: `/refused/${param}` })
    assert.equal(res.status, 500)
    assert.ok(res.text.startsWith(`Get "${closed}/r?x=${quoted}": dial tcp `), `${param}: ${res.text}`)
  }
})

test("Go's client refusing a Content-Length without a body quotes the URL the same way", async () => {
  for (const [param, quoted] of CASES) {
    logged.length = 0
    const res = await send(gw.url, { method: 'POST', path: `/seq/${param}`, body: 'xyz' })
    assert.equal(res.headers['x-krakend-completed'], 'false')
    const line = `Get "${backend.origin}/b1?x=${quoted}": http: ContentLength=3 with Body length 0`
    assert.ok(
      logged.some((l) => l.includes(line)),
      `${param}: ${logged.join('')}`,
    )
  }
})
