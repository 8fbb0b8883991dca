// lura's request headers (what input_headers copies, CEL's req_headers and backend Lua read) come
// from Go's header map: a length-framed HTTP/1.1 request's Trailer and an h2c `host` field beside
// :authority are in it (a chunked request's Trailer and HTTP/1's Host are not), and Go's client
// writes neither from the map. A CEL rule on req_headers refuses what KrakenD refuses: the h2c
// request with a host field was let through here. Checked with krakend-diff against KrakenD CE
// 2.13.8 (the raw-client sweep's suites tmp-cli-k 1/49 and tmp-cli-z --h2c 1/10 differed, 0 now).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  mustConfig,
  type Running,
  rawRequest,
  sendH2,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from './helpers.ts'

let backend: TestBackend
let gw: Running

const seenBy = (name: string) =>
  `local r = request.load(); local l = r:headerList('${name}'); r:headers('X-Seen', tostring(l:len()) .. ':' .. (l:len() > 0 and l:get(0) or ''))`

before(async () => {
  backend = await startBackend('b')
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { use_h2c: true } },
      endpoints: [
        ...['Trailer', 'Host'].map((name) => ({
          endpoint: `/lua-${name.toLowerCase()}`,
          method: 'POST',
          input_headers: ['*'],
          backend: [
            {
              host,
              url_pattern: '/echo',
              extra_config: { 'modifier/lua-backend': { pre: seenBy(name) } },
            },
          ],
        })),
        {
          endpoint: '/cel-host',
          method: 'POST',
          input_headers: ['Host'],
          extra_config: { 'validation/cel': [{ check_expr: "!('Host' in req_headers)" }] },
          backend: [{ host, url_pattern: '/echo' }],
        },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  await backend?.close()
})

const h1 = (path: string, framing: string, body: string) =>
  sendRaw(
    gw.url,
    `${rawRequest([`POST ${path} HTTP/1.1`, 'Host: x', framing, 'Trailer: X-T', 'Connection: close'])}${body}`,
  )

test("a length-framed request's Trailer is in lura's headers (not on the wire); a chunked one's is not", async () => {
  assert.equal((await h1('/lua-trailer', 'Content-Length: 3', 'abc')).status, 200)
  let seen = backend.seen.at(-1)
  assert.equal(seen?.headers['x-seen'], '1:X-T')
  assert.equal(seen?.headers.trailer, undefined)
  assert.equal((await h1('/lua-trailer', 'Transfer-Encoding: chunked', '3\r\nabc\r\n0\r\n\r\n')).status, 200)
  seen = backend.seen.at(-1)
  assert.equal(seen?.headers['x-seen'], '0:')
})

test("an h2c host field beside :authority is in lura's headers (not on the wire); HTTP/1's Host is not", async () => {
  const h2 = (path: string, headers: Record<string, string>) =>
    sendH2(gw.url, { method: 'POST', path, headers: { ':authority': 'a.example', ...headers }, body: 'abc' })
  assert.equal((await h2('/lua-host', { host: 'b.example' })).status, 200)
  const seen = backend.seen.at(-1)
  assert.equal(seen?.headers['x-seen'], '1:b.example')
  assert.notEqual(seen?.headers.host, 'b.example')
  assert.equal((await h2('/lua-host', {})).status, 200)
  assert.equal(backend.seen.at(-1)?.headers['x-seen'], '0:')
  assert.equal((await h1('/lua-host', 'Content-Length: 3', 'abc')).status, 200)
  assert.equal(backend.seen.at(-1)?.headers['x-seen'], '0:')
})

test('a CEL rule on req_headers refuses the h2c request with a host field, as KrakenD does', async () => {
  const calls = backend.seen.length
  const refused = await sendH2(gw.url, {
    method: 'POST',
    path: '/cel-host',
    headers: { ':authority': 'a.example', host: 'b.example' },
    body: 'abc',
  })
  assert.equal(refused.status, 500)
  assert.equal(backend.seen.length, calls)
  const served = await sendH2(gw.url, {
    method: 'POST',
    path: '/cel-host',
    headers: { ':authority': 'a.example' },
    body: 'abc',
  })
  assert.equal(served.status, 200)
})
