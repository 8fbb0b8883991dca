// An endpoint that only merges and renders JSON keeps bodies already in Go's form as text
// (go-json-text.ts): its answers must be the ones the decoding path gives. The same backends behind an
// output_encoding `negotiate` endpoint (which renders JSON through the decoder for a request without
// Accept) give the expected answer, status and headers included.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

let backend: TestBackend
let gw: Running

interface Case {
  backends: Array<string | Record<string, unknown>>
  extra?: Record<string, unknown>
}
const CASES: Record<string, Case> = {
  single: { backends: ['/go1'] },
  shared: { backends: ['/go1', '/go2-late'] },
  three: { backends: ['/go1', '/go2-late', '/go3'] },
  mixed: { backends: ['/go1', '/js'] },
  empty: { backends: ['/go1', '/empty'] },
  nil: { backends: ['/go1', '/null'] },
  failed: { backends: ['/go1', '/error'] },
  trailing: { backends: ['/trailing'] },
  newline: { backends: ['/newline', '/go3'] },
  // what reads the data keeps the decoding path: the answer shows it (a text kept would be the body as it came)
  allow: { backends: [{ url_pattern: '/go1', allow: ['a', 'o.x'] }] },
  deny: { backends: [{ url_pattern: '/go1', deny: ['k'] }, '/go3'] },
  group: { backends: [{ url_pattern: '/go1', group: 'g' }, '/go3'] },
  mapping: { backends: [{ url_pattern: '/go1', mapping: { k: 'key' } }] },
  target: { backends: [{ url_pattern: '/go1', target: 'o' }] },
  static: {
    backends: ['/go1'],
    extra: { proxy: { static: { strategy: 'always', data: { a: 'static', t: 2 } } } },
  },
  flatmap: {
    backends: ['/go1', '/go3'],
    extra: { proxy: { flatmap_filter: [{ type: 'del', args: ['n'] }] } },
  },
  sequential: { backends: ['/go1', '/go3'], extra: { proxy: { sequential: true } } },
}

before(async () => {
  backend = await startBackend('b', {
    '/go1': { raw: '{"a":1,"k":"one","n":1.50,"o":{"x":[1,{"y":"\\u003c"}]}}' },
    // arrives after /go1: its `k` wins the merge
    '/go2-late': { raw: '{"b":[true,null],"k":"two","s":"x\\"y"}', delay_ms: 80 },
    '/go3': { raw: '{"c":-0,"e":1e5,"z":"é"}' },
    '/js': { raw: '{"z":1,"a":2}' },
    '/empty': { raw: '{}' },
    '/null': { raw: 'null' },
    '/error': { status: 500, raw: '{"a":1}' },
    '/trailing': { raw: '{"a":1} and more' },
    '/newline': { raw: '{"m":0.0000001}\n' },
  })
  const host = [backend.origin]
  const endpoints = Object.entries(CASES).flatMap(([name, { backends, extra }]) =>
    ['json', 'negotiate'].map((encoding) => ({
      endpoint: `/${encoding}/${name}`,
      output_encoding: encoding,
      backend: backends.map((b) => (typeof b === 'string' ? { host, url_pattern: b } : { host, ...b })),
      ...(extra && { extra_config: extra }),
    })),
  )
  gw = await startGateway(mustConfig({ version: 3, name: 'go-form-text', timeout: '2s', endpoints }))
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

for (const name of Object.keys(CASES))
  test(`${name}: the answer of the endpoint that keeps text is the decoding path's`, async () => {
    const kept = await send(gw.url, { path: `/json/${name}` })
    const decoded = await send(gw.url, { path: `/negotiate/${name}` })
    assert.equal(kept.status, decoded.status)
    assert.equal(kept.text, decoded.text)
    const { date: _a, ...keptHeaders } = kept.headers
    const { date: _b, ...decodedHeaders } = decoded.headers
    assert.deepEqual(keptHeaders, decodedHeaders)
  })

test('the three-backend merge of Go-form bodies is lura merge, keys in Go order', async () => {
  const merged = await send(gw.url, { path: '/json/three' })
  assert.equal(
    merged.text,
    '{"a":1,"b":[true,null],"c":-0,"e":1e5,"k":"two","n":1.50,"o":{"x":[1,{"y":"\\u003c"}]},"s":"x\\"y","z":"é"}',
  )
  assert.equal(merged.headers['x-krakend-completed'], 'true')
})
