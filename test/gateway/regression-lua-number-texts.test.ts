// A number a Lua script sets is a Go float64 in KrakenD's data: the texts below are KrakenD CE 2.13.8's
// own answers (the YAML and XML writers, fmt's %s in a header list, and the sequential proxy's resp0_
// params, strconv.FormatFloat(v, 'E', -1, 32)), from session 44's regression sweep: an ad-hoc
// krakend-diff suite of these endpoints (a backend answering {"a":"x"}) gave 0 of 36 differences. On
// ea8ad636, where these numbers were json.Numbers, 23 of these 24 texts differed (all but 1e300's YAML).
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

let backend: Server
let gw: Running
const called: string[] = []

// name -> [the script's statements, YAML line(s), XML element or undefined, resp0_ URL, header list or undefined]
const VALUES: Record<string, [string, string, string | undefined, string, string | undefined]> = {
  tiny: ["d:set('v', 1e-7)", 'v: 1e-07\n', '<v>1e-07</v>', '/next/1E-07', undefined],
  small: ["d:set('v', 0.000123)", 'v: 0.000123\n', undefined, '/next/1.23E-04', undefined],
  p53: [
    "d:set('v', 2^53+1)",
    'v: 9.007199254740992e+15\n',
    '<v>9.007199254740992e+15</v>',
    '/next/9.007199E+15',
    '%!s(float64=9.007199254740992e+15)',
  ],
  sum: ["d:set('v', 0.1+0.2)", 'v: 0.30000000000000004\n', undefined, '/next/3E-01', undefined],
  huge: ["d:set('v', 1e300)", 'v: 1e+300\n', undefined, '/next/+Inf', undefined],
  neg: [
    "d:set('v', -123456789)",
    'v: -1.23456789e+08\n',
    '<v>-1.23456789e+08</v>',
    '/next/-1.2345679E+08',
    '%!s(float64=-1.23456789e+08)',
  ],
  e20: ["d:set('v', 1e20)", 'v: 1e+20\n', '<v>1e+20</v>', '/next/1E+20', undefined],
  readback: [
    "d:set('v', 3); d:set('w', d:get('v') * 2)",
    'v: 3.0\nw: 6.0\n',
    undefined,
    '/next/3E+00?w=6E+00',
    undefined,
  ],
  strnum: [
    "d:set('v', '12'); d:set('w', tonumber('0x10'))",
    'v: "12"\nw: 16.0\n',
    undefined,
    '/next/12?w=1.6E+01',
    undefined,
  ],
}

before(async () => {
  backend = createServer((req, res) => {
    called.push(req.url ?? '')
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"a":"x"}')
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  const lua = (code: string, extra = '') => ({
    'modifier/lua-backend': { post: `local r = response.load(); local d = r:data(); ${code}${extra}` },
  })
  const endpoints = Object.entries(VALUES).flatMap(([name, [code, , , next]]) => [
    ...['yaml', 'xml'].map((output_encoding) => ({
      endpoint: `/${name}/${output_encoding}`,
      output_encoding,
      backend: [{ host, url_pattern: '/obj', extra_config: lua(code) }],
    })),
    {
      endpoint: `/${name}/seq`,
      extra_config: { proxy: { sequential: true } },
      backend: [
        { host, url_pattern: '/obj', extra_config: lua(code) },
        { host, url_pattern: next.includes('?w=') ? '/next/{resp0_v}?w={resp0_w}' : '/next/{resp0_v}' },
      ],
    },
    {
      endpoint: `/${name}/hdr`,
      backend: [
        {
          host,
          url_pattern: '/obj',
          extra_config: lua(code, "; local l = luaList.new(); l:set(0, d:get('v')); r:headerList('X-V', l)"),
        },
      ],
    },
  ])
  gw = await startGateway(mustConfig({ version: 3, endpoints }))
})

after(async () => {
  await gw?.close()
  backend?.close()
})

for (const [name, [, yaml, xml, next, header]] of Object.entries(VALUES)) {
  test(`a script's ${name} as KrakenD writes it: YAML, XML, resp0_ param, header list`, async () => {
    const y = await send(gw.url, { path: `/${name}/yaml` })
    assert.equal(y.status, 200)
    assert.equal(y.text, `a: x\n${yaml}`)
    if (xml) {
      const x = await send(gw.url, { path: `/${name}/xml` })
      assert.equal(x.text, `<doc><a>x</a>${xml}</doc>`)
    }
    called.length = 0
    const s = await send(gw.url, { path: `/${name}/seq` })
    assert.equal(s.status, 200)
    assert.deepEqual(called, ['/obj', next])
    if (header) {
      const h = await send(gw.url, { path: `/${name}/hdr` })
      assert.equal(h.headers['x-v'], header)
    }
  })
}
