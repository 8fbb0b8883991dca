// Go's HTTP/2 server resets (PROTOCOL_ERROR) the stream of a request that declared a Trailer when its
// trailers hold a field Go refuses there (Content-Length, Authorization, Host, If-*...): KrakenD CE
// 2.13.8 never hands such a request over, the gateway served it to the backend (crash4, session 54).
import assert from 'node:assert/strict'
import { connect } from 'node:http2'
import { describe, test } from 'node:test'
import { gatewayWith } from './gateway-fixture.ts'

const gateway = gatewayWith((backend) => ({
  version: 3,
  endpoints: [
    {
      endpoint: '/echo',
      method: 'POST',
      output_encoding: 'no-op',
      backend: [{ host: [backend.origin], url_pattern: '/echo', encoding: 'no-op' }],
    },
  ],
}))

/** POSTs `abc` over h2c with `headers`, then `trailers`: the answer's status, or the reset code. */
function postWithTrailers(
  headers: Record<string, string>,
  trailers: Record<string, string>,
): Promise<{ status?: number; rstCode?: number }> {
  const session = connect(gateway.url)
  session.on('error', () => {})
  return new Promise<{ status?: number; rstCode?: number }>((resolve) => {
    const stream = session.request(
      { ':method': 'POST', ':path': '/echo', ...headers },
      { waitForTrailers: true },
    )
    stream.on('wantTrailers', () => stream.sendTrailers(trailers))
    stream.on('response', (answer) => {
      resolve({ status: Number(answer[':status']) })
      stream.resume()
    })
    stream.on('error', () => {})
    stream.on('close', () => resolve({ rstCode: stream.rstCode }))
    stream.end('abc')
  }).finally(() => session.close())
}

const PROTOCOL_ERROR = 1

describe('h2c request trailers', () => {
  for (const field of ['content-length', 'authorization', 'host', 'if-match', 'content-type'])
    test(`a declared trailer, then \`${field}\` among the trailers: the stream is reset, no backend call`, async () => {
      const before = gateway.backend.seen.length
      const outcome = await postWithTrailers({ trailer: 'x-t' }, { [field]: '3' })
      assert.deepEqual(outcome, { rstCode: PROTOCOL_ERROR })
      await new Promise((resolve) => setTimeout(resolve, 100))
      assert.equal(gateway.backend.seen.length, before)
    })

  test('allowed trailer fields, or none declared, are served as Go serves them', async () => {
    for (const [headers, trailers] of [
      [{ trailer: 'x-t' }, { 'x-t': '1' }],
      [{}, { 'content-length': '3' }],
      [{ trailer: 'content-length, transfer-encoding' }, { authorization: 'Bearer z' }],
    ] as const)
      assert.deepEqual(
        await postWithTrailers(headers, trailers),
        { status: 200 },
        JSON.stringify([headers, trailers]),
      )
  })
})
