// A backend that sends `100 Continue` (unasked) before its answer: Go's transport skips every 1xx
// but 101 and reads the final answer, so KrakenD answers with it (checked against lura's own
// gateway); undici alone fails such a call ("bad response").
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { type AddressInfo, createServer, type Socket } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const answer = (body: string) =>
  `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`

/** What each backend path writes, piece by piece (each piece once the previous one is out). */
const PIECES: Record<string, string[]> = {
  '/together': [`HTTP/1.1 100 Continue\r\n\r\n${answer('{"a":1}')}`],
  '/apart': ['HTTP/1.1 100 Continue\r\n\r\n', answer('{"a":1}')],
  '/cut': [
    'HTTP/1.1 10',
    '0 Continue\r\nX-Note: 1\r\n',
    '\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n',
    answer('{"a":1}'),
  ],
}

let backend: ReturnType<typeof createServer>
let gw: Running
/** Requests each backend connection carried. */
const perConnection: number[] = []

function writeInTurn(socket: Socket, pieces: string[]): void {
  const [first, ...rest] = pieces
  if (first === undefined) return
  socket.write(first, () => setImmediate(() => writeInTurn(socket, rest)))
}

before(async () => {
  backend = createServer((socket) => {
    socket.on('error', () => {})
    const index = perConnection.push(0) - 1
    socket.on('data', (head: Buffer) => {
      perConnection[index] = (perConnection[index] ?? 0) + 1
      const target = head.toString('latin1').split(' ')[1] ?? ''
      writeInTurn(socket, PIECES[target] ?? [answer('{}')])
    })
  })
  backend.listen(0, '127.0.0.1')
  await once(backend, 'listening')
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: Object.keys(PIECES).map((path) => ({
        endpoint: path,
        backend: [{ host, url_pattern: path }],
      })),
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

for (const path of Object.keys(PIECES))
  test(`a 100 Continue before the answer is skipped: ${path}`, async () => {
    const res = await send(gw.url, { path })
    assert.equal(res.status, 200)
    assert.deepEqual(JSON.parse(res.text), { a: 1 })
  })

test('a kept connection skips the 100 Continue of each answer', async () => {
  const before = perConnection.length
  for (let i = 0; i < 3; i += 1) {
    const res = await send(gw.url, { path: '/together' })
    assert.equal(res.status, 200)
    assert.deepEqual(JSON.parse(res.text), { a: 1 })
  }
  // The three calls went over connections the gateway kept: fewer new connections than calls.
  assert.ok(perConnection.length - before < 3, `${perConnection.length - before} new connections`)
})
