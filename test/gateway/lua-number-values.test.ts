// Numbers a Lua script sets are Go float64s in KrakenD's data (gopher-lua's LNumber), where a backend's
// are json.Number texts; both print alike in JSON but not elsewhere. Checked against KrakenD CE 2.13.8
// with krakend-diff lua-numbers (13 cases; 9 differed before: the header lists, YAML, XML, CEL's
// types, the sequential proxy's resp0_ parameters, ±Inf and XML's key order).
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

let backend: Server
let gw: Running
const called: string[] = []

const SET =
  "local r = response.load(); local d = r:data(); d:set('z', -0.0); d:set('i', 3); d:set('big', 1234567); d:set('f', 1.5); local l = luaList.new(); l:set(0, 2); l:set(1, 0.5); d:set('l', l)"

// ±Inf and two keys whose UTF-16 order is not Go's (U+E000, then U+1F600 by their UTF-8 bytes)
const INF =
  "local r = response.load(); local d = r:data(); d:set('inf', 1/0); d:set('ninf', -1/0); d:set('\\240\\159\\152\\128', 2); d:set('\\238\\128\\128', 1)"

before(async () => {
  backend = createServer((req, res) => {
    called.push(req.url ?? '')
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"list":[1.5,2,1e21,12345678901234567890,"x",true,null,{"b":[1,2],"a":1e6}]}')
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  const lua = (post: string) => ({ 'modifier/lua-backend': { post } })
  const set = (endpoint: string, output_encoding: string) => ({
    endpoint,
    output_encoding,
    backend: [{ host, url_pattern: '/obj', extra_config: lua(SET) }],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/list',
          backend: [
            {
              host,
              url_pattern: '/obj',
              extra_config: lua(
                "local r = response.load(); local d = r:data(); r:headerList('X-List', d:get('list')); local l = luaList.new(); l:set(0, 1.5); l:set(1, 1234567); l:set(2, true); r:headerList('X-Lua', l)",
              ),
            },
          ],
        },
        set('/json', 'json'),
        set('/yaml', 'yaml'),
        set('/xml', 'xml'),
        {
          ...set('/cel', 'json'),
          extra_config: { 'validation/cel': [{ check_expr: 'type(resp_data.i) == double' }] },
        },
        {
          ...set('/cel-int', 'json'),
          extra_config: { 'validation/cel': [{ check_expr: 'resp_data.i + 1 == 4' }] },
        },
        {
          endpoint: '/xml-inf',
          output_encoding: 'xml',
          backend: [{ host, url_pattern: '/obj', extra_config: lua(INF) }],
        },
        {
          endpoint: '/seq-inf',
          extra_config: { proxy: { sequential: true } },
          backend: [
            { host, url_pattern: '/obj', extra_config: lua(INF) },
            { host, url_pattern: '/next/{resp0_inf}/{resp0_ninf}', group: 'second' },
          ],
        },
        {
          endpoint: '/seq',
          extra_config: { proxy: { sequential: true } },
          backend: [
            { host, url_pattern: '/obj', extra_config: lua(SET) },
            { host, url_pattern: '/next/{resp0_i}/{resp0_big}/{resp0_f}', group: 'second' },
          ],
        },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  backend?.close()
})

test("luaList items in a header: a backend's numbers as their text, a script's as fmt prints a float64", async () => {
  const res = await send(gw.url, { path: '/list' })
  assert.equal(res.status, 200)
  assert.deepEqual(res.headers['x-list'], [
    '1.5',
    '2',
    '1e21',
    '12345678901234567890',
    'x',
    '%!s(bool=true)',
    '%!s(<nil>)',
    'map[a:1e6 b:[1 2]]',
  ])
  assert.deepEqual(res.headers['x-lua'], ['%!s(float64=1.5)', '%!s(float64=1.234567e+06)', '%!s(bool=true)'])
})

test('numbers a script set are written as Go writes a float64: JSON, YAML (goccy) and XML (%v)', async () => {
  const json = await send(gw.url, { path: '/json' })
  assert.match(json.text, /"big":1234567,"f":1.5,"i":3,"l":\[2,0.5\],/)
  assert.match(json.text, /"z":-0\}$/)
  const yaml = await send(gw.url, { path: '/yaml' })
  assert.match(yaml.text, /^big: 1.234567e\+06\nf: 1.5\ni: 3.0\nl:\n- 2.0\n- 0.5\n/m)
  assert.match(yaml.text, /^z: -0.0$/m)
  const xml = await send(gw.url, { path: '/xml' })
  assert.match(xml.text, /<big>1.234567e\+06<\/big><f>1.5<\/f><i>3<\/i><l>2<\/l><l>0.5<\/l>/)
  assert.match(xml.text, /<z>-0<\/z>/)
})

test('validation/cel sees a number a script set as a double (an int operand has no overload)', async () => {
  assert.equal((await send(gw.url, { path: '/cel' })).status, 200)
  assert.equal((await send(gw.url, { path: '/cel-int' })).status, 500)
})

test("the sequential proxy's resp0_ parameters of a script's numbers are Go float64s", async () => {
  called.length = 0
  const res = await send(gw.url, { path: '/seq' })
  assert.equal(res.status, 200)
  assert.deepEqual(called, ['/obj', '/next/3E+00/1.234567E+06/1.5E+00'])
})

test("a script's ±Inf as Go prints a float64 (XML's %v, resp0_'s FormatFloat), XML keys in Go's order", async () => {
  const xml = await send(gw.url, { path: '/xml-inf' })
  assert.match(xml.text, /^<doc><inf>\+Inf<\/inf>/)
  assert.match(xml.text, /<ninf>-Inf<\/ninf><\uE000>1<\/\uE000><\u{1F600}>2<\/\u{1F600}><\/doc>$/u)
  called.length = 0
  await send(gw.url, { path: '/seq-inf' })
  assert.deepEqual(called, ['/obj', '/next/+Inf/-Inf'])
})
