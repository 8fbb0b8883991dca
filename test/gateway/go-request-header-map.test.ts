// The request header map as Go's servers leave it, which the components read: a chunked HTTP/1.1
// request's Trailer is taken out (fixTrailer; one with a length keeps it), and over h2c every
// trailer field and an expect field holding 100-continue are taken out (x/net's server reads
// them), while a `host` field beside :authority stays (as Host). A client rate limit keyed on a
// header Go took out finds an empty key: KrakenD answers 429 to every such request (before, these
// were let through here). Checked with krakend-diff against KrakenD CE 2.13.8 (the raw-client
// sweep's suites: 196 cases over HTTP/1.1 and h2c, 5 differed, 0 now).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  mustConfig,
  type Running,
  rawRequest,
  send,
  sendH2,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from './helpers.ts'

let backend: TestBackend
let gw: Running

const keyedOn = (key: string) => ({
  'qos/ratelimit/router': { client_max_rate: 100, client_capacity: 100, strategy: 'header', key },
})

before(async () => {
  backend = await startBackend('b')
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: {
        router: { use_h2c: true },
        // a script that rewrites the header map (the request's headers are written back after it)
        'modifier/lua-endpoint': { pre: "local c = ctx.load(); c:headers('X-Seen', c:headers('Trailer'))" },
      },
      endpoints: ['Trailer', 'Expect', 'Host'].map((key) => ({
        endpoint: `/${key.toLowerCase()}`,
        method: 'POST',
        input_headers: ['X-Seen'],
        extra_config: keyedOn(key),
        backend: [{ host, url_pattern: '/echo' }],
      })),
    }),
  )
})

after(async () => {
  await gw?.close()
  await backend?.close()
})

test("a chunked HTTP/1.1 request's Trailer is not in Go's map: the limit's key is empty (429), the script sees none", async () => {
  const chunked = `${rawRequest(['POST /trailer HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked', 'Trailer: X-T'])}3\r\nabc\r\n0\r\n\r\n`
  assert.equal((await sendRaw(gw.url, chunked)).status, 429)
  const sized = await send(gw.url, {
    method: 'POST',
    path: '/trailer',
    headers: { trailer: 'X-T' },
    body: 'abc',
  })
  assert.equal(sized.status, 200)
  assert.equal(backend.seen.at(-1)?.headers['x-seen'], 'X-T')
})

test('over h2c a trailer field and an expect: 100-continue field are not in the map; a host field is', async () => {
  const h2 = (path: string, headers: Record<string, string>) =>
    sendH2(gw.url, { method: 'POST', path, headers: { ':authority': 'a.example', ...headers }, body: 'abc' })
  assert.equal((await h2('/trailer', { trailer: 'X-T' })).status, 429)
  assert.equal((await h2('/expect', { expect: '100-continue' })).status, 429)
  assert.equal((await h2('/expect', { expect: 'other' })).status, 200)
  assert.equal((await h2('/host', { host: 'b.example' })).status, 200)
  assert.equal((await h2('/host', {})).status, 429)
})
