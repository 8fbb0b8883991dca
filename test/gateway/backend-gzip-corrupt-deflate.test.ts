// A rendering endpoint's gzip answer whose deflate data turns corrupt after some bytes: Go's flate
// hands up what it decoded before the bad block or symbol, then fails with `flate: corrupt input
// before offset N` (N: the deflate bytes read, through the one it fails on). lura's JSON decoder
// done with its value before that answers 200; a string read, or a value still open, fails with
// Go's words; mxj's XML decoder is done when the root's end comes before the error's Read. zlib
// failed the member whole, with its own words (`invalid block type`). Every case checked against
// KrakenD CE 2.13.8 on the same raw bodies.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'
import { type AnsweringBackend, NOT_FOUND, startAnsweringBackend } from './raw-answer-backend.ts'

/** A member whose deflate data is `text` in a stored block, then a block of the reserved type 3. */
const corrupt = (text: string) => {
  const stored = gzipSync(text, { level: 0 })
  const data = Buffer.from(stored.subarray(10, stored.length - 8))
  data[0] = (data[0] as number) & ~1 // not the final block
  return Buffer.concat([stored.subarray(0, 10), data, Buffer.from([0x07, 0, 0, 0, 0, 0, 0, 0, 0])])
}
const LONG = 'x'.repeat(40000)

const BODIES: Record<string, Buffer> = {
  value: corrupt('{"a":1}'),
  open: corrupt('{"a":1'),
  long: corrupt(`{"a":"${LONG}"}`),
  xml: corrupt('<a><b>1</b></a>\n'),
  empty: corrupt(''),
}

let backend: AnsweringBackend
let gw: Running

before(async () => {
  backend = await startAnsweringBackend((path) => {
    const body = BODIES[path.slice(1)]
    if (!body) return NOT_FOUND
    const head = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n`
    return Buffer.concat([Buffer.from(head), body])
  })
  const host = [backend.origin]
  const endpoints: Array<Record<string, unknown>> = Object.keys(BODIES).flatMap((name) =>
    ['json', 'string', 'xml'].map((encoding) => ({
      endpoint: `/${encoding}/${name}`,
      backend: [{ host, url_pattern: `/${name}`, encoding }],
    })),
  )
  // lura's own gunzip (the client's Accept-Encoding went to the backend: Go's transport left the body)
  for (const name of ['value', 'open'])
    endpoints.push({
      endpoint: `/lura/${name}`,
      input_headers: ['Accept-Encoding'],
      backend: [{ host, url_pattern: `/${name}` }],
    })
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

const answers = async (path: string, status: number, text: string, headers?: Record<string, string>) => {
  const res = await send(gw.url, { path, ...(headers && { headers }) })
  assert.equal(res.status, status, `${path}: ${res.text.slice(0, 200)}`)
  assert.equal(res.text, text, path)
}

test('json: a value whole before the corrupt block answers; one still open fails with Go’s words', async () => {
  await answers('/json/value', 200, '{"a":1}')
  await answers('/json/long', 200, `{"a":"${LONG}"}`)
  await answers('/json/open', 500, 'flate: corrupt input before offset 12')
  await answers('/json/empty', 500, 'flate: corrupt input before offset 6')
  await answers('/lura/value', 200, '{"a":1}', { 'accept-encoding': 'gzip' })
  await answers('/lura/open', 500, 'flate: corrupt input before offset 12', { 'accept-encoding': 'gzip' })
})

test('string: the read error, its offset counting the deflate bytes read', async () => {
  await answers('/string/value', 500, 'flate: corrupt input before offset 13')
  await answers('/string/long', 500, 'flate: corrupt input before offset 40014')
  await answers('/string/xml', 500, 'flate: corrupt input before offset 22')
})

test('xml: done when the root ends before the error’s Read, else the error wrapped', async () => {
  await answers('/xml/xml', 200, '{"a":{"b":"1"}}')
  await answers('/xml/value', 500, 'xml.Decoder.Token() - flate: corrupt input before offset 13')
})
