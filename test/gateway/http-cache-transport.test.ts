// qos/http-cache sits above Go's transport: what the transport does happens below it. It retries a
// request whose reused connection the backend closed before answering, so the cache sees the
// retry's answer (not a failure to cover with stale-if-error); and it undoes its own gzip only on
// an answer with a body, so a 204 keeps its Content-Encoding until the cache drops it from a GET.
// Both differed from KrakenD's cache in the differential fuzz.
import assert from 'node:assert/strict'
import { type AddressInfo, createServer, type Socket } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const date = () => `Date: ${new Date().toUTCString()}\r\n`
/** Stale at once, and may stand in for an error for an hour. */
const stale = (body: string) =>
  `HTTP/1.1 200 OK\r\n${date()}Cache-Control: max-age=0, stale-if-error=3600\r\nContent-Length: ${body.length}\r\n\r\n${body}`
const calls: string[] = []
let backend: ReturnType<typeof createServer>
let gw: Running

/** What the backend does with the n-th request (from 0) of a path: answer, or cut the connection. */
const SCRIPTS: Record<string, (n: number) => string | 'cut'> = {
  '/retried': (n) => (n === 1 ? 'cut' : stale(`{"n":${n}}`)),
  '/no-content': () => `HTTP/1.1 204 No Content\r\n${date()}Content-Encoding: gzip\r\n\r\n`,
}

before(async () => {
  backend = createServer((socket: Socket) => {
    socket.on('error', () => {})
    let buffered = ''
    socket.on('data', (data: Buffer) => {
      buffered += data.toString('latin1')
      for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
        const path = buffered.split(' ')[1] ?? ''
        buffered = buffered.slice(end + 4)
        const answer = SCRIPTS[path]?.(calls.filter((p) => p === path).length) ?? 'cut'
        calls.push(path)
        if (answer === 'cut') {
          socket.destroy()
          return
        }
        socket.write(answer)
      }
    })
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { 'gwdeploy/runtime': { workers: 1 } },
      endpoints: Object.keys(SCRIPTS).map((path) => ({
        endpoint: path,
        output_encoding: 'no-op',
        backend: [{ host, url_pattern: path, encoding: 'no-op', extra_config: { 'qos/http-cache': {} } }],
      })),
    }),
  )
})
after(async () => {
  await gw?.close()
  backend?.close()
})

test('a reused connection cut before the answer is retried below the cache: the new answer, not the stale one', async () => {
  assert.equal((await send(gw.url, { path: '/retried' })).text, '{"n":0}')
  const second = await send(gw.url, { path: '/retried' })
  assert.equal(second.status, 200)
  assert.equal(second.text, '{"n":2}')
  assert.equal(calls.filter((p) => p === '/retried').length, 3)
})

test("a 204 with Content-Encoding: gzip (the transport's gzip asked): the cache drops the header from a GET", async () => {
  const answer = await send(gw.url, { path: '/no-content' })
  assert.equal(answer.status, 204)
  assert.equal(answer.headers['content-encoding'], undefined)
})
