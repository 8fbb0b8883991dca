// A Lua script's 1xx status (but 101) on a no-op answer: Go's WriteHeader writes it as an interim
// head (the handler's headers but the framing ones, no Date) and lura's io.Copy then makes the
// answer a 200 with the body. It went out as the final answer with no body, so the client took the
// next request's answer for this one's (http10 sweep 4; KrakenD CE 2.13.8 as asserted here).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, startGateway } from './helpers.ts'
import { type AnsweringBackend, startAnsweringBackend } from './raw-answer-backend.ts'
import { exchange } from './raw-exchange.ts'

let backend: AnsweringBackend
let gw: Running

before(async () => {
  backend = await startAnsweringBackend(
    () => 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-B: 1\r\nContent-Length: 5\r\n\r\nhello',
  )
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/hints',
          output_encoding: 'no-op',
          backend: [
            {
              host: [backend.origin],
              url_pattern: '/x',
              encoding: 'no-op',
              extra_config: { 'modifier/lua-backend': { post: 'response.load():statusCode(103)' } },
            },
          ],
        },
      ],
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

test('a 103 from a script: an interim head, then the 200 with the body, the connection kept', async () => {
  const all = await exchange(
    gw.url,
    'GET /hints HTTP/1.1\r\nHost: x\r\n\r\nGET /hints HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  )
  const heads = all.split(/(?=HTTP\/1\.1 )/)
  assert.equal(heads.length, 4, all)
  const [interim, final] = heads as [string, string]
  assert.match(interim, /^HTTP\/1\.1 103 Early Hints\r\n/)
  assert.ok(interim.includes('X-B: 1\r\n'))
  assert.ok(!interim.includes('Date:') && !interim.includes('Content-Length:'), interim)
  assert.match(final, /^HTTP\/1\.1 200 OK\r\n/)
  assert.ok(final.includes('Content-Length: 5\r\n') && final.endsWith('\r\n\r\nhello'), final)
})
