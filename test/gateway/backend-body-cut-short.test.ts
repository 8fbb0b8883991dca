// A 200 whose body the backend cuts short (it closes before the Content-Length or the last chunk):
// Go's body reader fails with io.ErrUnexpectedEOF (a reset: the read's net.OpError) and lura's
// decoders report that read error as it is, so return_error_msg shows `unexpected EOF` (xml:
// `xml.Decoder.Token() - unexpected EOF`), not a transport error `Get "url": EOF`. Checked against
// KrakenD CE 2.13.8 (krakend-diff, 45 of 48 cases the same; the other 3 are merges whose error lines
// KrakenD orders at random; a reset: the same texts but the ephemeral ports).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'
import { type AnsweringBackend, fromTable, startAnsweringBackend } from './raw-answer-backend.ts'

const head = (extra: string) => `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n${extra}\r\n`
const gzipStart = gzipSync('{"a":1}').subarray(0, 4).toString('latin1')

const ANSWERS: Record<string, string> = {
  '/length': `${head('Content-Length: 7\r\n')}{"a":`,
  '/chunk-boundary': `${head('Transfer-Encoding: chunked\r\n')}5\r\n{"a":\r\n`,
  '/chunk-inside': `${head('Transfer-Encoding: chunked\r\n')}7\r\n{"a":`,
  '/no-body': head('Content-Length: 20\r\n'),
  '/gzip': `${head('Content-Length: 20\r\nContent-Encoding: gzip\r\n')}${gzipStart}`,
  // a close-delimited body ends at the close: the whole value
  '/close-delimited': `HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"a":1}`,
}

let backend: AnsweringBackend
let gw: Running

before(async () => {
  backend = await startAnsweringBackend((path, socket) => {
    if (path !== '/reset') return fromTable(ANSWERS)(path)
    // part of the body, then a reset (RST) instead of the rest
    socket.write(`${head('Content-Length: 20\r\n')}{"a":`, 'latin1')
    setTimeout(() => socket.resetAndDestroy(), 50)
    return undefined
  })
  const host = [backend.origin]
  const endpoints = [...Object.keys(ANSWERS), '/reset'].flatMap((path) =>
    ['json', 'string', 'xml'].map((encoding) => ({
      endpoint: `/${encoding}${path}`,
      backend: [{ host, url_pattern: path, encoding }],
    })),
  )
  gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '2s',
      extra_config: { router: { return_error_msg: true } },
      endpoints,
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

const expected: Record<string, string> = {
  json: 'unexpected EOF',
  string: 'unexpected EOF',
  xml: 'xml.Decoder.Token() - unexpected EOF',
}

for (const path of Object.keys(ANSWERS).filter((p) => p !== '/close-delimited'))
  for (const [encoding, message] of Object.entries(expected))
    test(`a body cut short is a read error, worded as Go's: ${encoding} ${path}`, async () => {
      const res = await send(gw.url, { path: `/${encoding}${path}` })
      assert.equal(res.status, 500)
      assert.equal(res.text, message)
    })

test('a close-delimited body ends at the close: the value is whole', async () => {
  const res = await send(gw.url, { path: '/json/close-delimited' })
  assert.equal(res.status, 200)
  assert.equal(res.text, '{"a":1}')
})

test("a reset inside the body is the body read's error, Go's net.OpError: no transport error's `Get \"url\":`", async () => {
  for (const [encoding, prefix] of [
    ['json', ''],
    ['string', ''],
    ['xml', 'xml.Decoder.Token\\(\\) - '],
  ] as const) {
    const res = await send(gw.url, { path: `/${encoding}/reset` })
    assert.equal(res.status, 500)
    assert.match(
      res.text,
      new RegExp(
        `^${prefix}read tcp 127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:\\d+: read: connection reset by peer$`,
      ),
      encoding,
    )
  }
})
