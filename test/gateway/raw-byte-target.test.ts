// A request target holding raw bytes above 0x7F (`GET /é?a=é` written as UTF-8, or a lone 0xFF):
// Go's server takes them (url.ParseRequestURI refuses only control bytes) and routes on the decoded
// path; llhttp refuses them, so the gateway answered 400 where KrakenD serves the request (found by
// a differential probe against KrakenD CE). Over h2c the query's bytes were encoded twice.
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { describe, test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'
import { sendRawH2 } from './h2-raw-client.ts'

/** `text` as its UTF-8 bytes, one latin1 character each (what goes on the wire). */
const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1')

describe('request targets with raw bytes above 0x7F', () => {
  const gateway = rawGatewayWith((raw) => {
    const host = [raw.origin]
    return {
      version: 3,
      use_h2c: true,
      echo_endpoint: true,
      endpoints: [
        {
          endpoint: '/e/{p}',
          method: 'GET',
          input_query_strings: ['*'],
          backend: [{ host, url_pattern: '/b/{p}' }],
        },
        { endpoint: '/e/{p}', method: 'POST', backend: [{ host, url_pattern: '/b/{p}' }] },
        { endpoint: '/café', method: 'GET', backend: [{ host, url_pattern: '/cafe' }] },
      ],
    }
  })

  /** Everything the gateway answered on one connection, latin1. */
  const converse = async (latin1: string): Promise<string> => {
    const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1')
    socket.write(Buffer.from(latin1, 'latin1'))
    const chunks: Buffer[] = []
    for await (const chunk of socket) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('latin1')
  }
  const get = (target: string) => converse(`GET ${target} HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n`)
  const requestLine = () => gateway.raw.head().split('\r\n')[0]

  test('UTF-8 bytes in the path and the query are served as their escapes would be', async () => {
    assert.match(await get(utf8('/café')), /^HTTP\/1\.1 200 OK\r\n/)
    assert.equal(requestLine(), 'GET /cafe HTTP/1.1')
    assert.match(await get(utf8('/e/é?a=é&b=ü')), /^HTTP\/1\.1 200 OK\r\n/)
    assert.equal(requestLine(), 'GET /b/%C3%A9?a=%C3%A9&b=%C3%BC HTTP/1.1')
  })

  test("a redirect's Location carries the query's raw bytes escaped as Go's http.Redirect does", async () => {
    const answer = await get(utf8('/e/é/?a=é'))
    assert.match(answer, /^HTTP\/1\.1 301 Moved Permanently\r\n/)
    assert.match(answer, /\r\nLocation: \/e\/%C3%A9\?a=%c3%a9\r\n/)
  })

  test('bytes that are not UTF-8 too', async () => {
    assert.match(await get('/e/\u00ff?a=\u00e9'), /^HTTP\/1\.1 200 OK\r\n/)
    assert.equal(requestLine(), 'GET /b/%FF?a=%E9 HTTP/1.1')
  })

  test('a body is read and the connection kept: requests before and after are served', async () => {
    const before = gateway.raw.requests.length
    const answer = await converse(
      [
        'GET /e/one HTTP/1.1\r\nHost: gw\r\n\r\n',
        utf8('POST /e/é HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\n\r\nhello'),
        'GET /e/three HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n',
      ].join(''),
    )
    assert.equal(answer.match(/HTTP\/1\.1 200 OK\r\n/g)?.length, 3, answer)
    assert.equal(gateway.raw.requests.length, before + 3)
    // Pipelined: the backend calls may overlap.
    const calls = gateway.raw.requests.slice(before).sort()
    assert.match(calls[0] as string, /^GET \/b\/one HTTP\/1\.1\r\n/)
    assert.match(calls[1] as string, /^GET \/b\/three HTTP\/1\.1\r\n/)
    assert.match(calls[2] as string, /^POST \/b\/%C3%A9 HTTP\/1\.1\r\n[\s\S]*\r\nhello\r\n/)
  })

  // The second line's parse error came back from the re-armed parser without its packet: 400, the
  // connection closed (crash2, session 53; KrakenD answers both).
  test('two in one packet: both served, the connection kept until the last asks to close', async () => {
    const before = gateway.raw.requests.length
    const answer = await converse(
      utf8('GET /e/é HTTP/1.1\r\nHost: gw\r\n\r\nGET /e/ü HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n'),
    )
    assert.equal(answer.match(/HTTP\/1\.1 200 OK\r\n/g)?.length, 2, answer)
    const calls = gateway.raw.requests.slice(before).map((r) => r.split('\r\n')[0])
    assert.deepEqual(calls.sort(), ['GET /b/%C3%A9 HTTP/1.1', 'GET /b/%C3%BC HTTP/1.1'])
  })

  // The line was looked for from the last line break, inside the body before it (crash3, session 53).
  test('behind a body not ending a line, in the same packet: both served', async () => {
    const before = gateway.raw.requests.length
    const answer = await converse(
      utf8(
        'POST /e/x HTTP/1.1\r\nHost: gw\r\nContent-Length: 3\r\n\r\nabcGET /e/é HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n',
      ),
    )
    assert.equal(answer.match(/HTTP\/1\.1 200 OK\r\n/g)?.length, 2, answer)
    const calls = gateway.raw.requests.slice(before).map((r) => r.split('\r\n')[0])
    assert.deepEqual(calls.sort(), ['GET /b/%C3%A9 HTTP/1.1', 'POST /b/x HTTP/1.1'])
  })

  test('what Go refuses still is: a control byte, a malformed escape', async () => {
    const before = gateway.raw.requests.length
    assert.match(await get(utf8('/e/é\u0001')), /^HTTP\/1\.1 400 Bad Request\r\n/)
    assert.match(await get(utf8('/e/é%zz')), /^HTTP\/1\.1 400 Bad Request\r\n/)
    assert.equal(gateway.raw.requests.length, before)
  })

  test("the echo endpoint's req_uri is the target as sent", async () => {
    const answer = await get(utf8('/__echo/é?a=é'))
    const body = JSON.parse(
      Buffer.from(answer.slice(answer.indexOf('\r\n\r\n') + 4), 'latin1').toString('utf8'),
    )
    assert.equal(body.req_uri, '/__echo/é?a=é')
    assert.equal(body.req_uri_details.path, '/__echo/é')
  })

  test('h2c: the bytes of a :path query are forwarded once escaped', async () => {
    const answer = await sendRawH2(gateway.url, [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':authority', 'gw'],
      [':path', utf8('/e/é?a=é')],
    ])
    assert.equal(answer.status, 200)
    assert.equal(requestLine(), 'GET /b/%C3%A9?a=%C3%A9 HTTP/1.1')
  })
})
