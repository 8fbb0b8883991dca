// A request's bytes that are not UTF-8, and UTF-8 header values, as Lua scripts read and write them
// in KrakenD (krakend-diff suite luaedge, KrakenD CE 2.13.8): Go's url.Values keep `%FF` as the
// byte 0xFF (r:query() is "q=%FF", #ctx:query("q") is 1) and a header's bytes are the script's
// string as they are (#ctx:headers("X-A") of "é" is 2).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, sendRaw, startBackend, startGateway, type TestBackend } from './helpers.ts'

let backend: TestBackend
let gateway: Running

const endpoint = (path: string, namespace: string, pre: string) => ({
  endpoint: path,
  input_headers: ['*'],
  input_query_strings: ['*'],
  extra_config: { [namespace]: { pre } },
  backend: [{ host: [backend.origin], url_pattern: '/echo' }],
})

before(async () => {
  backend = await startBackend('api')
  gateway = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        endpoint('/proxy', 'modifier/lua-proxy', 'local r = request.load() r:headers("X-Q", r:query())'),
        endpoint('/proxy-set', 'modifier/lua-proxy', 'local r = request.load() r:query("q=%ff&p=%C3%A9")'),
        endpoint(
          '/router',
          'modifier/lua-endpoint',
          'local c = ctx.load() c:headers("X-Len", #c:query("q") .. "," .. #c:headers("X-A"))',
        ),
        endpoint(
          '/router-set',
          'modifier/lua-endpoint',
          'local c = ctx.load() c:query("q", "\\255") c:headers("X-Set", "\\195\\169")',
        ),
      ],
    }),
  )
})
after(async () => {
  await gateway?.close()
  await backend?.close()
})

/** What the backend received for one GET (header lines given as bytes, latin1). */
async function seen(target: string, headers: string[] = []) {
  const count = backend.seen.length
  const { status } = await sendRaw(
    gateway.url,
    Buffer.from(
      `GET ${target} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n${headers.join('')}\r\n`,
      'latin1',
    ),
  )
  assert.equal(status, 200, target)
  assert.equal(backend.seen.length, count + 1, target)
  return backend.seen[count] as (typeof backend.seen)[number]
}

const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1')

describe('Lua request API: query bytes and header bytes', () => {
  test("lua-proxy: a query byte FF is %FF in r:query() and in the backend's query", async () => {
    const request = await seen('/proxy?q=%ff')
    assert.equal(request.headers['x-q'], 'q=%FF')
    assert.equal(request.url, '/echo?q=%FF')
  })

  test('lua-proxy: a query set with %ff keeps the byte', async () => {
    assert.equal((await seen('/proxy-set')).url, '/echo?p=%C3%A9&q=%FF')
  })

  test('lua-endpoint: a query byte is one byte, a UTF-8 header its bytes', async () => {
    const request = await seen('/router?q=%ff', [`X-A: ${utf8('é')}\r\n`])
    assert.equal(request.headers['x-len'], '1,2')
    assert.equal(Buffer.from(request.headers['x-a'] as string, 'latin1').toString('utf8'), 'é')
  })

  test('lua-endpoint: a query and a header set with bytes go out as those bytes', async () => {
    const request = await seen('/router-set', [`X-A: ${utf8('é')}\r\n`])
    assert.equal(request.url, '/echo?q=%FF')
    assert.equal(Buffer.from(request.headers['x-set'] as string, 'latin1').toString('utf8'), 'é')
    assert.equal(Buffer.from(request.headers['x-a'] as string, 'latin1').toString('utf8'), 'é')
  })
})
