// How much of a request head Go's net/http server (KrakenD's) takes: MaxHeaderBytes plus the 4096
// bytes of its initialReadLimitSize, over the head as sent (request line, header lines, blank
// line), and every header line however many there are. Figures checked against Go's server.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from './gateway-fixture.ts'
import { sendRaw } from './helpers.ts'

/** A head of exactly `bytes` bytes: one header padded to length. */
function headOf(bytes: number): string {
  const start = 'GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: '
  const end = '\r\n\r\n'
  return `${start}${'p'.repeat(bytes - start.length - end.length)}${end}`
}

describe('client side: request head limits as Go counts them', () => {
  const gw = gatewayWith(
    (backend) => ({
      version: 3,
      max_header_bytes: 8192,
      endpoints: [
        {
          endpoint: '/a',
          input_headers: ['X-Last'],
          backend: [{ host: [backend.origin], url_pattern: '/echo/a' }],
        },
      ],
    }),
    { backends: { b: {} } },
  )

  test('max_header_bytes 8192: a head of 12,288 bytes is served, one more byte is 431', async () => {
    assert.equal((await sendRaw(gw.url, headOf(8192 + 4096))).status, 200)
    const { head } = await sendRaw(gw.url, headOf(8192 + 4096 + 1))
    assert.equal(
      head,
      'HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close',
    )
  })

  test('a header after the 2000th line is read, not dropped', async () => {
    const filler = 'a: b\r\n'.repeat(2000)
    const request = `GET /a HTTP/1.1\r\nHost: x\r\n${filler}X-Last: seen\r\nConnection: close\r\n\r\n`
    assert.ok(request.length <= 8192 + 4096)
    const { status } = await sendRaw(gw.url, request)
    assert.equal(status, 200)
    assert.equal(gw.backend.seen.at(-1)?.headers['x-last'], 'seen')
  })
})
