import assert from 'node:assert/strict'
import { once } from 'node:events'
import { type AddressInfo, createServer, type Socket } from 'node:net'
import { test } from 'node:test'
import { mustConfig, send, startBackend, startGateway } from './helpers.ts'

// lura's merge hands every backend the client's request as it is when all backends are GET or
// HEAD (no CloneRequest): a request without a body keeps http.NoBody, so Go's transport sends a
// call again when the backend closed its reused connection before answering. With another method
// among the backends lura copies the request (a body that is never NoBody) and the call fails.
// A circuit breaker counts that call as a success in the first case and a failure in the second.

/** Answers each request on the connection; the 2nd request overall is dropped with a FIN. */
async function droppingBackend() {
  const heads: Array<{ conn: number; line: string }> = []
  let conns = 0
  const server = createServer((socket: Socket) => {
    const conn = conns++
    let buf = ''
    socket.on('data', (chunk) => {
      buf += chunk.toString('latin1')
      for (let end = buf.indexOf('\r\n\r\n'); end !== -1; end = buf.indexOf('\r\n\r\n')) {
        const line = buf.slice(0, buf.indexOf('\r\n'))
        buf = buf.slice(end + 4)
        heads.push({ conn, line })
        if (heads.length === 2) {
          socket.end()
          return
        }
        const body = `{"n":${heads.length}}`
        socket.write(
          `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        )
      }
    })
    socket.on('error', () => {})
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, heads, server }
}

async function merged(otherMethod: string) {
  const dropping = await droppingBackend()
  const other = await startBackend('other')
  const gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/m',
          method: otherMethod === 'GET' ? 'GET' : 'POST',
          backend: [
            { host: [dropping.origin], url_pattern: '/first', method: 'GET', group: 'first' },
            { host: [other.origin], url_pattern: '/echo', method: otherMethod, group: 'other' },
          ],
        },
      ],
    }),
  )
  const method = otherMethod === 'GET' ? 'GET' : 'POST'
  try {
    const answers: unknown[] = []
    for (let i = 0; i < 2; i += 1)
      answers.push(JSON.parse((await send(gw.url, { path: '/m', method })).text).first)
    return { answers, heads: dropping.heads }
  } finally {
    await gw.close()
    await other.close()
    dropping.server.close()
  }
}

test('GET-only merge: the dropped call goes out again on a new connection and is answered', async () => {
  const { answers, heads } = await merged('GET')
  assert.deepEqual(answers, [{ n: 1 }, { n: 3 }])
  assert.deepEqual(
    heads.map((h) => h.conn),
    [0, 0, 1],
  )
})

test('a merge with a PUT backend copies the request: the dropped GET is not sent again', async () => {
  const { answers, heads } = await merged('PUT')
  assert.deepEqual(answers, [{ n: 1 }, undefined])
  assert.equal(heads.length, 2)
})
