import assert from 'node:assert/strict'
import { connect as connectTcp } from 'node:net'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { gatewayWith } from './gateway-fixture.ts'

// lura hands read_timeout, write_timeout, idle_timeout and read_header_timeout to Go's http.Server
// as written, unset being 0, and Go sets a deadline only for one above 0: KrakenD CE has none by
// default (a client sending its headers or body slowly, an idle keep-alive connection, wait as long
// as they like). Go's fallbacks: a 0 read_header_timeout or idle_timeout is the read_timeout's.
// Checked on KrakenD CE 2.13.8: headers finished after 15 s, a body after 35 s, and a keep-alive
// connection idle for 70 s were all served.

const serverOf = (settings: Record<string, unknown>) => {
  const result = validateGatewayConfig({ version: 3, endpoints: [], ...settings })
  assert.deepEqual(result.errors, [])
  const s = result.config?.server
  return [s?.readHeaderTimeoutMs, s?.readTimeoutMs, s?.writeTimeoutMs, s?.keepAliveTimeoutMs]
}

test("server timeouts left out are none, as in KrakenD; a keep-alive connection's idle bound is the read_timeout when idle_timeout is 0", () => {
  assert.deepEqual(serverOf({}), [0, 0, 0, 0])
  assert.deepEqual(
    serverOf({ read_timeout: null, write_timeout: null, idle_timeout: null, read_header_timeout: null }),
    [0, 0, 0, 0],
  )
  assert.deepEqual(serverOf({ read_timeout: '5s' }), [0, 5000, 0, 5000])
  assert.deepEqual(serverOf({ read_timeout: '5s', idle_timeout: '-1s' }), [0, 5000, 0, 0])
  assert.deepEqual(serverOf({ read_timeout: '5s', idle_timeout: '2s' }), [0, 5000, 0, 2000])
})

describe('a read_timeout without idle_timeout bounds idle keep-alive connections (Go idleTimeout())', () => {
  const gateway = gatewayWith(
    (backend) => ({
      version: 3,
      read_timeout: '300ms',
      endpoints: [{ endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/a' }] }],
    }),
    { backends: { api: { '/a': { body: { ok: true } } } } },
  )

  test('the connection is closed once idle after its answer', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const socket = connectTcp(gateway.running.server.port, '127.0.0.1', () =>
        socket.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\n'),
      )
      let answer = ''
      socket.on('data', (d) => {
        answer += d
      })
      socket.on('error', () => {})
      // Bounded: the previous default (65 s) would keep it open past this.
      const bound = setTimeout(() => {
        socket.destroy()
        resolve('still open')
      }, 20_000)
      socket.on('close', () => {
        clearTimeout(bound)
        resolve(`closed after ${answer.split('\r\n')[0]}`)
      })
    })
    assert.equal(outcome, 'closed after HTTP/1.1 200 OK')
  })
})

// Go closes an idle keep-alive connection at idle_timeout (SetReadDeadline(now + idleTimeout));
// node:http waited keepAliveTimeoutBuffer (1 s) more, so a request sent in that second was served
// where KrakenD's connection is gone (crash2, session 53: KrakenD closed at 2,002 ms, this runtime
// at 3,013 ms with idle_timeout 2s).
describe('idle_timeout closes an idle keep-alive connection when it runs out, not a second later', () => {
  const gateway = gatewayWith(
    (backend) => ({
      version: 3,
      idle_timeout: '1s',
      endpoints: [{ endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/a' }] }],
    }),
    { backends: { api: { '/a': { body: { ok: true } } } } },
  )

  test('closed before 1.7 s of idleness', async () => {
    const socket = connectTcp(gateway.running.server.port, '127.0.0.1', () =>
      socket.write('GET /a HTTP/1.1\r\nHost: x\r\n\r\n'),
    )
    socket.on('error', () => {})
    let closed = false
    socket.on('close', () => {
      closed = true
    })
    await new Promise((resolve) => socket.once('data', resolve))
    await new Promise((resolve) => setTimeout(resolve, 1700))
    const wasClosed = closed
    socket.destroy()
    assert.equal(wasClosed, true)
  })
})
