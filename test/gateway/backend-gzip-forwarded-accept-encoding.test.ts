// Go's transport undoes a gzip answer only when it asked for gzip itself; with the client's
// Accept-Encoding forwarded (input_headers) only lura's parser does, for a 200/201 whose
// Content-Encoding is exactly `gzip`. A `GZIP` answer to a forwarded Accept-Encoding was decoded
// here where KrakenD CE 2.13.8 fails to decode it as JSON (500; gzreaders sweep D).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'
import { type AnsweringBackend, startAnsweringBackend } from './raw-answer-backend.ts'

let backend: AnsweringBackend
let gw: Running

before(async () => {
  const zipped = gzipSync('{"a":1}')
  backend = await startAnsweringBackend((path) =>
    Buffer.concat([
      Buffer.from(
        `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: ${path.slice(1)}\r\n` +
          `Content-Length: ${zipped.length}\r\n\r\n`,
        'latin1',
      ),
      zipped,
    ]),
  )
  const endpoint = (name: string, encoding: string, forwarded: boolean) => ({
    endpoint: `/${name}`,
    ...(forwarded ? { input_headers: ['Accept-Encoding'] } : {}),
    backend: [{ host: [backend.origin], url_pattern: `/${encoding}` }],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        endpoint('asked-upper', 'GZIP', false),
        endpoint('forwarded-upper', 'GZIP', true),
        endpoint('forwarded-exact', 'gzip', true),
      ],
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

const get = (path: string) => send(gw.url, { path, headers: { 'accept-encoding': 'gzip' } })

test("the transport's own gzip: undone whatever the case of `gzip`", async () => {
  const answer = await get('/asked-upper')
  assert.equal(answer.status, 200)
  assert.deepEqual(JSON.parse(answer.text), { a: 1 })
})

test('a forwarded Accept-Encoding: lura undoes an exact `gzip` only; `GZIP` is no JSON', async () => {
  const exact = await get('/forwarded-exact')
  assert.equal(exact.status, 200)
  assert.deepEqual(JSON.parse(exact.text), { a: 1 })
  assert.equal((await get('/forwarded-upper')).status, 500)
})
