// A chunked backend answer's chunk-size lines read as Go's chunked reader reads them (sweep-core
// F1's r56, r22, r32): `7 ` is 7 (it was a 500 on json and an empty body on no-op), `7;ext` is 7,
// and a line Go refuses fails the body read with Go's words, which the json decoder reports as they
// are; a no-op answer has sent its head by then (KrakenD: an empty 200). Data the decoder has read in
// full before the bad bytes is answered, as KrakenD answers it. Checked against KrakenD CE 2.13.8
// (krakend-diff over the sweep's raw TCP backends: tmp-core-raw, raw2 0 differences).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'
import { type AnsweringBackend, fromTable, startAnsweringBackend } from './raw-answer-backend.ts'

const chunked = (body: string) =>
  `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body}`

const ANSWERS: Record<string, string> = {
  '/trailing-space': chunked('7 \r\n{"a":1}\r\n0\r\n\r\n'),
  '/extension': chunked('7;ext=1\r\n{"a":1}\r\n0\r\n\r\n'),
  // a head Go reads otherwise too (two Content-Lengths beside chunked): the body's lines still are Go's
  '/odd-head': `HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n7\t\r\n{"a":1}\r\n0\r\n\r\n`,
  '/hex-prefix': chunked('0x7\r\n{"a":1}\r\n0\r\n\r\n'),
  '/bare-lf': chunked('7\n{"a":1}\n0\n\n'),
  '/after-data': chunked('7\r\n{"a":1}XX0\r\n\r\n'),
}

let backend: AnsweringBackend
let gw: Running

before(async () => {
  backend = await startAnsweringBackend(fromTable(ANSWERS))
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '2s',
      extra_config: { router: { return_error_msg: true } },
      endpoints: Object.keys(ANSWERS).flatMap((path) => [
        { endpoint: `/j${path}`, backend: [{ host, url_pattern: path }] },
        {
          endpoint: `/n${path}`,
          output_encoding: 'no-op',
          backend: [{ host, url_pattern: path, encoding: 'no-op' }],
        },
      ]),
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

for (const path of ['/trailing-space', '/extension', '/odd-head', '/after-data'])
  test(`chunk lines Go reads: ${path} is answered`, async () => {
    for (const kind of ['j', 'n']) {
      const res = await send(gw.url, { path: `/${kind}${path}` })
      assert.equal(res.status, 200, `${kind}: ${res.text}`)
      assert.equal(res.text, '{"a":1}')
    }
  })

for (const [path, reason] of [
  ['/hex-prefix', 'invalid byte in chunk length'],
  ['/bare-lf', 'chunked line ends with bare LF'],
])
  test(`a chunk line Go refuses: ${path} is its body read error`, async () => {
    const json = await send(gw.url, { path: `/j${path}` })
    assert.equal(json.status, 500)
    assert.equal(json.text, reason)
    const noop = await send(gw.url, { path: `/n${path}` })
    assert.equal(noop.status, 200)
    assert.equal(noop.text, '')
  })
