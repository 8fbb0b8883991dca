// The request's URL as a modifier/lua-endpoint script reads it: KrakenD's ctx:url() is the
// URL.String of what Go's server parsed with url.ParseRequestURI, which takes no fragment, so a `#`
// belongs to the raw query (ctx:query('tenant') of `/s?tenant=mine#x` is `mine#x`, which is what
// the backend receives too) or to the path (`/s#?tenant=mine`: the path `/s#`, the query read);
// an absolute-form target keeps its scheme, user info and host; a path that is no valid encoding
// is written re-escaped from its decoded form (`/s/%61dmin|` is `/s/admin%7C`), a query's raw bytes
// kept. A guard that read `mine` there, or looked for `admin` in the URL, let through what KrakenD
// refuses. Checked with krakend-diff against KrakenD CE 2.13.8 (13 raw targets:
// 8 differed, 0 now; over h2c 0 of 4; the sweeper's suites u, f, g: 221 cases, 0 differ, h2c too).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  mustConfig,
  type Running,
  rawRequest,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from './helpers.ts'

let backend: TestBackend
let gw: Running

before(async () => {
  backend = await startBackend('b')
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: {
        'modifier/lua-endpoint': {
          pre: "local c = ctx.load(); if c:query('tenant') ~= 'mine' then custom_error('tenant', 403) end; c:headers('X-Url', c:url())",
        },
      },
      endpoints: [
        {
          endpoint: '/s',
          input_headers: ['X-Url'],
          input_query_strings: ['*'],
          backend: [{ host: [backend.origin], url_pattern: '/echo' }],
        },
        {
          endpoint: '/s/{x}',
          input_headers: ['X-Url'],
          backend: [{ host: [backend.origin], url_pattern: '/echo/{x}' }],
        },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  await backend?.close()
})

const get = (target: string) => sendRaw(gw.url, rawRequest([`GET ${target} HTTP/1.1`, 'Host: localhost']))

test("a `#` after the query is in the query: the script's tenant check refuses `mine#x`", async () => {
  const calls = backend.seen.length
  assert.equal((await get('/s?tenant=mine#x')).status, 500)
  assert.equal((await get('/s?tenant=mine#')).status, 500)
  assert.equal(backend.seen.length, calls, 'no backend call')
})

test('a `#` before the query is in the path: the query is read, the path is `/s#` (404)', async () => {
  assert.equal((await get('/s#?tenant=mine')).status, 404)
})

test('ctx:url() is URL.String(): the query as sent, an absolute-form target with its scheme and host', async () => {
  assert.equal((await get('/s?tenant=mine')).status, 200)
  assert.equal(backend.seen.at(-1)?.headers['x-url'], '/s?tenant=mine')
  assert.equal((await get('HTTP://Evil/s?tenant=mine')).status, 200)
  assert.equal(backend.seen.at(-1)?.headers['x-url'], 'http://Evil/s?tenant=mine')
  assert.equal((await get('http://u:p@evil:80/s?tenant=mine')).status, 200)
  assert.equal(backend.seen.at(-1)?.headers['x-url'], 'http://u:p@evil:80/s?tenant=mine')
})

test("a path Go's URL.String() re-escapes: from its decoded form when the path as sent is no valid encoding", async () => {
  assert.equal((await get('/s/%61dmin|?tenant=mine')).status, 200)
  assert.equal(backend.seen.at(-1)?.headers['x-url'], '/s/admin%7C?tenant=mine')
  assert.equal((await get('/s/%61dmin?tenant=mine')).status, 200)
  assert.equal(backend.seen.at(-1)?.headers['x-url'], '/s/%61dmin?tenant=mine')
})
