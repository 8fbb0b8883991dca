// Requests pipelined on one HTTP/1.1 connection are served one at a time, as Go's server (KrakenD)
// reads them: the next only once the answer before it is written, and none after an answer that
// closes the connection. node:http handed each over as soon as it was parsed, so a request behind an
// answer that closes reached the backend unanswered (KrakenD CE 2.13.8 never reads it), and one
// behind a slow answer was called before that answer was out.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, startGateway } from './helpers.ts'
import { exchange, statusLines } from './raw-exchange.ts'

/** What the backend saw, in order: `in /path` when a request arrived, `out /path` when answered. */
const events: string[] = []
const backend = createServer((req, res) => {
  const path = req.url ?? '/'
  events.push(`in ${path}`)
  req.resume()
  const answer = () => {
    events.push(`out ${path}`)
    const body =
      path === '/jwks' ? JSON.stringify({ keys: [{ kty: 'oct', kid: 'k1', k: 'c2VjcmV0' }] }) : '{"ok":true}'
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(body)
  }
  if (path === '/slow') setTimeout(answer, 100)
  else answer()
})
let gw: Running

before(async () => {
  backend.listen(0, '127.0.0.1')
  await once(backend, 'listening')
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  const endpoint = (path: string, extra: Record<string, unknown> = {}) => ({
    endpoint: path,
    ...extra,
    backend: [{ host, url_pattern: path }],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        endpoint('/slow'),
        endpoint('/fast'),
        endpoint('/after'),
        endpoint('/guarded', {
          extra_config: { 'validation/cel': [{ check_expr: "'X-Pass' in req_headers" }] },
        }),
        // The key set is fetched for every token: the 401 comes after an await.
        endpoint('/jwt', {
          extra_config: {
            'auth/validator': {
              alg: 'HS256',
              jwk_url: `${host[0]}/jwks`,
              disable_jwk_security: true,
              cache: false,
            },
          },
        }),
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  backend.closeAllConnections()
  backend.close()
})

const b64 = (text: string) => Buffer.from(text).toString('base64url')
const AFTER = 'GET /after HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'

describe('pipelined requests', () => {
  test('the one behind an answer that closes the connection is never served (Expect: 100-continue, body unread)', async () => {
    events.length = 0
    const body = 'GET /fast HTTP/1.1\r\nHost: localhost\r\n\r\n'
    const token = `${b64('{"alg":"HS256","kid":"k1"}')}.${b64('{"sub":"x"}')}.${b64('not the signature')}`
    const answer = await exchange(
      gw.url,
      `GET /jwt HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n${body}${AFTER}`,
    )
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 401 Unauthorized'])
    assert.match(answer, /\r\nConnection: close\r\n/)
    // A wrongly served /after would have reached the backend before this one.
    await exchange(gw.url, 'GET /fast HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
    assert.deepEqual(events, ['in /jwks', 'out /jwks', 'in /fast', 'out /fast'])
  })

  test('the one behind a refused head (two Host lines: 400) is never served', async () => {
    events.length = 0
    const answer = await exchange(gw.url, `GET /fast HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n${AFTER}`)
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 400 Bad Request'])
    await exchange(gw.url, 'GET /fast HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
    assert.deepEqual(events, ['in /fast', 'out /fast'])
  })

  // Go expects a 100 Continue only of a request with a body: without one the connection is kept
  // (node:http closed it after an answer sent without 100 Continue; sweep53, session 53).
  for (const [name, head] of [
    ['a GET', 'GET /fast HTTP/1.1'],
    ['a POST of Content-Length 0', 'POST /fast HTTP/1.1\r\nContent-Length: 0'],
  ] as const)
    test(`${name} expecting 100-continue without a body keeps the connection: the next is served`, async () => {
      events.length = 0
      const answer = await exchange(
        gw.url,
        `${head}\r\nHost: localhost\r\nExpect: 100-continue\r\n\r\n${AFTER}`,
      )
      assert.equal(statusLines(answer).length, 2, answer)
      assert.doesNotMatch(answer.slice(0, answer.indexOf('\r\n\r\n')), /Connection: close/)
      assert.deepEqual(events.at(-2), 'in /after')
    })

  test('each is served once the answer before it is written', async () => {
    events.length = 0
    const answer = await exchange(gw.url, `GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n${AFTER}`)
    assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK'])
    assert.deepEqual(events, ['in /slow', 'out /slow', 'in /after', 'out /after'])
  })
})
