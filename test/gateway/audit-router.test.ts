// What Go's net/http server (KrakenD's) answers before gin runs, and gin's routing of request
// targets no HTTP client library sends: raw HTTP/1.1 bytes on a socket.
import assert from 'node:assert/strict'
import { connect as connectTcp } from 'node:net'
import { describe, test } from 'node:test'
import { gatewayWith } from './gateway-fixture.ts'
import { rawRequest, sendRaw } from './helpers.ts'

/** Sends `text`, then `later` once the answer so far contains `waitFor`; returns all it read. */
async function converse(url: string, text: string, waitFor?: string, later?: string): Promise<string> {
  const { hostname, port } = new URL(url)
  const socket = connectTcp(Number(port), hostname)
  socket.write(text)
  let seen = ''
  let sent = false
  for await (const chunk of socket) {
    seen += (chunk as Buffer).toString('latin1')
    if (!sent && waitFor !== undefined && later !== undefined && seen.includes(waitFor)) {
      sent = true
      socket.write(later)
    }
  }
  return seen
}

describe('Go server and gin routing on raw HTTP/1.1', () => {
  const gw = gatewayWith(
    (backend) => ({
      version: 3,
      echo_endpoint: true,
      endpoints: [
        { endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/echo/a' }] },
        {
          endpoint: '/p',
          method: 'POST',
          backend: [{ host: [backend.origin], url_pattern: '/echo/p', method: 'POST' }],
        },
      ],
    }),
    { backends: { b: {} } },
  )

  test('# is part of the path (a request target has no fragment): /a#b is not /a', async () => {
    const before = gw.backend.seen.length
    const { status } = await sendRaw(gw.url, rawRequest(['GET /a#b HTTP/1.1', 'Host: x']))
    assert.equal(status, 404)
    assert.equal(gw.backend.seen.length, before)
  })

  test('Host missing, repeated or malformed: Go refuses before routing, with its reason', async () => {
    for (const [lines, status] of [
      [['GET /a HTTP/1.1'], '400 Bad Request: missing required Host header'],
      [['GET /a HTTP/1.1', 'Host: a b'], '400 Bad Request: malformed Host header'],
      // Go 1.25 (KrakenD CE 2.13.8's toolchain) refuses a repeated Host while reading the request:
      // no reason, and before the version, Host and header checks of its server.
      [['GET /a HTTP/1.1', 'Host: x', 'Host: y'], '400 Bad Request'],
      [['GET /a HTTP/1.1', 'Host: a b', 'Host: y'], '400 Bad Request'],
      [['GET /a HTTP/2.0', 'Host: x', 'Host: y'], '400 Bad Request'],
    ] as const) {
      const answer = await converse(gw.url, rawRequest([...lines]))
      assert.equal(
        answer,
        `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${status}`,
      )
    }
    // HTTP/1.0 needs no Host.
    const { status } = await sendRaw(gw.url, rawRequest(['GET /a HTTP/1.0']))
    assert.equal(status, 200)
  })

  test('a Transfer-Encoding other than one chunked is 501, the body never forwarded', async () => {
    const before = gw.backend.seen.length
    const answer = await converse(
      gw.url,
      'POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\na\r\n0\r\n\r\n',
    )
    assert.equal(
      answer,
      'HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nUnsupported transfer encoding',
    )
    assert.equal(gw.backend.seen.length, before)
  })

  test('a malformed escape in the path is 400 (url.ParseRequestURI fails)', async () => {
    const { status, head } = await sendRaw(gw.url, rawRequest(['GET /a%zz HTTP/1.1', 'Host: x']))
    assert.equal(status, 400)
    assert.match(head, /^HTTP\/1\.1 400 Bad Request\r\n/)
  })

  test('OPTIONS * is answered by the server: 200, Content-Length: 0', async () => {
    const { status, head } = await sendRaw(gw.url, rawRequest(['OPTIONS * HTTP/1.1', 'Host: x']))
    assert.equal(status, 200)
    assert.match(head, /\r\ncontent-length: 0\r\n/i)
    assert.doesNotMatch(head, /x-krakend/i)
  })

  test('an absolute-form target is routed by its path; its authority is the Host', async () => {
    const answer = await converse(gw.url, rawRequest(['GET http://other:8/__echo/z?q=1 HTTP/1.1', 'Host: x']))
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))
    assert.equal(body.req_uri, 'http://other:8/__echo/z?q=1')
    assert.deepEqual(body.req_uri_details, {
      fragment: '',
      host: 'other:8',
      path: '/__echo/z',
      query: 'q=1',
      user: '',
    })
    const before = gw.backend.seen.length
    const { status } = await sendRaw(gw.url, rawRequest(['GET http://other:8/a HTTP/1.1', 'Host: x']))
    assert.equal(status, 200)
    assert.equal(gw.backend.seen[before]?.headers['x-forwarded-host'], 'other:8')
  })

  test('Expect: 100-continue: no 100 for a bodiless request; sent when the body is read', async () => {
    const bodiless = await converse(
      gw.url,
      rawRequest(['GET /a HTTP/1.1', 'Host: x', 'Expect: 100-continue']),
    )
    assert.match(bodiless, /^HTTP\/1\.1 200 OK\r\n/)
    const withBody = await converse(
      gw.url,
      rawRequest(['POST /p HTTP/1.1', 'Host: x', 'Expect: 100-continue', 'Content-Length: 2']),
      '100 Continue',
      'hi',
    )
    assert.match(withBody, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/)
    assert.equal(gw.backend.seen.at(-1)?.body, 'hi')
    const other = await converse(gw.url, 'GET /a HTTP/1.1\r\nHost: x\r\nExpect: foo\r\n\r\n')
    // Go's head, in its order (KrakenD CE 2.13.8 writes these bytes).
    assert.equal(
      other.replace(/Date: [^\r]*\r\n/, ''),
      'HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    )
  })

  test('HTTP/1.0 keep-alive is answered with Connection: keep-alive and no Keep-Alive header', async () => {
    const { hostname, port } = new URL(gw.url)
    const socket = connectTcp(Number(port), hostname)
    socket.write('GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
    let seen = ''
    for await (const chunk of socket) {
      seen += (chunk as Buffer).toString('latin1')
      if (seen.includes('\r\n\r\n') && seen.endsWith('}')) break
    }
    socket.destroy()
    assert.match(seen, /\r\nconnection: keep-alive\r\n/i)
    assert.doesNotMatch(seen, /\r\nkeep-alive:/i)
  })
})
