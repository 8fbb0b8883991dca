import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { describe, test } from 'node:test'
import { gatewayWith } from './gateway-fixture.ts'
import { statusLines } from './raw-exchange.ts'

// A request node:http's parser does not serve itself (a method llhttp does not know, CONNECT) is
// answered by the gateway as Go routes it. Sent while the answer to an earlier request on the same
// connection is still being made, it waits for that answer, as Go reads it only then (the gateway
// gave it a response of its own at once, node:http threw, and the process ended).
const gateway = gatewayWith(
  (backend) => ({
    version: 3,
    endpoints: [{ endpoint: '/slow', backend: [{ host: [backend.origin], url_pattern: '/slow' }] }],
  }),
  { backends: { api: { '/slow': { delay_ms: 300, body: { ok: true } } } } },
)

/** Writes `first`, then `second` 50 ms later (a packet of its own), and reads until the server closes. */
async function twoPackets(url: string, first: string, second: string): Promise<string> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1')
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  const closed = new Promise((resolve) => socket.on('close', resolve))
  socket.write(first)
  await new Promise((resolve) => setTimeout(resolve, 50))
  socket.write(second)
  await closed
  return Buffer.concat(chunks).toString('latin1')
}

const slow = 'GET /slow HTTP/1.1\r\nHost: gw.example\r\n\r\n'

describe('a request the parser does not serve, sent while an earlier answer is pending', {
  timeout: 20_000,
}, () => {
  for (const [name, request, status] of [
    ['`get`', 'get /slow HTTP/1.1\r\nHost: gw.example\r\n\r\n', 'HTTP/1.1 405 Method Not Allowed'],
    ['CONNECT', 'CONNECT gw.example:443 HTTP/1.1\r\nHost: gw.example\r\n\r\n', 'HTTP/1.1 404 Not Found'],
  ] as const) {
    test(`${name}: answered after the earlier answer, and the gateway serves on`, async () => {
      const answer = await twoPackets(gateway.url, slow, request)
      assert.deepEqual(statusLines(answer), ['HTTP/1.1 200 OK', status])
      assert.match(answer, /\{"ok":true\}HTTP\/1\.1/)
      const after = await fetch(`${gateway.url}/slow`)
      assert.equal(after.status, 200)
    })
  }
})
