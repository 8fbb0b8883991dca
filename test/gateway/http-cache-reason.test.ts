// qos/http-cache's LRU counts each answer as httputil.DumpResponse writes it, and Go writes the
// status line with the backend's own reason phrase (with none, the code again: "HTTP/1.1 200 200").
// Sizes below are Go's dump of these answers (105 and 107 bytes): an answer is stored only when its
// dump is smaller than max_size. Counted with the standard phrase, ours refused the first and
// stored the second (a cached answer where KrakenD calls the backend).
import assert from 'node:assert/strict'
import { type AddressInfo, createServer, type Socket } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const answer = (statusLine: string) =>
  `${statusLine}\r\nDate: ${new Date().toUTCString()}\r\nCache-Control: max-age=3600\r\nContent-Length: 2\r\n\r\nab`
const LINES: Record<string, string> = { '/short': 'HTTP/1.1 200 K', '/none': 'HTTP/1.1 200' }
const calls: string[] = []
let backend: ReturnType<typeof createServer>
let gw: Running

before(async () => {
  backend = createServer((socket: Socket) => {
    socket.on('error', () => {})
    let buffered = ''
    socket.on('data', (data: Buffer) => {
      buffered += data.toString('latin1')
      for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
        const path = buffered.split(' ')[1] ?? ''
        buffered = buffered.slice(end + 4)
        calls.push(path)
        socket.write(answer(LINES[path] ?? 'HTTP/1.1 404 Not Found'))
      }
    })
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  const endpoint = (path: string, maxSize: number) => ({
    endpoint: path,
    output_encoding: 'no-op',
    backend: [
      {
        host,
        url_pattern: path,
        encoding: 'no-op',
        extra_config: { 'qos/http-cache': { max_size: maxSize, max_items: 10 } },
      },
    ],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { 'gwdeploy/runtime': { workers: 1 } },
      endpoints: [endpoint('/short', 106), endpoint('/none', 107)],
    }),
  )
})
after(async () => {
  await gw?.close()
  backend?.close()
})

test("a one-letter reason phrase: Go's dump is 105 bytes, under max_size 106, so it is stored", async () => {
  for (let i = 0; i < 2; i += 1) assert.equal((await send(gw.url, { path: '/short' })).text, 'ab')
  assert.equal(calls.filter((p) => p === '/short').length, 1)
})

test('no reason phrase: Go dumps "200 200", 107 bytes, not under max_size 107, so it is not stored', async () => {
  for (let i = 0; i < 2; i += 1) assert.equal((await send(gw.url, { path: '/none' })).text, 'ab')
  assert.equal(calls.filter((p) => p === '/none').length, 2)
})
