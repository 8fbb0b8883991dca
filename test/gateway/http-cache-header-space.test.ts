// qos/http-cache reads a backend's answer headers as Go's textproto does: spaces and tabs around a
// value are trimmed, so `Cache-Control: max-age=3600, no-store<TAB>` is no-store and never stored,
// and an Expires date followed by a tab is a date. undici keeps the trailing tab: ours stored the
// no-store answer and served it from the cache where KrakenD calls the backend every time, and
// called the backend for an answer KrakenD holds fresh (checked against KrakenD's cache).
import assert from 'node:assert/strict'
import { type AddressInfo, createServer, type Socket } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const inAnHour = () => new Date(Date.now() + 3_600_000).toUTCString()
const FRESHNESS: Record<string, () => string> = {
  '/no-store-tab': () => 'Cache-Control: max-age=3600, no-store\t',
  '/expires-tab': () => `Expires: ${inAnHour()}\t`,
}
const calls: Array<{ path: string; conditional: boolean }> = []
let backend: ReturnType<typeof createServer>
let gw: Running

before(async () => {
  backend = createServer((socket: Socket) => {
    socket.on('error', () => {})
    let buffered = ''
    socket.on('data', (data: Buffer) => {
      buffered += data.toString('latin1')
      for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end)
        buffered = buffered.slice(end + 4)
        const path = head.split(' ')[1] ?? ''
        calls.push({ path, conditional: /\r\nif-none-match:/i.test(head) })
        const body = String(calls.length)
        socket.write(
          `HTTP/1.1 200 OK\r\nDate: ${new Date().toUTCString()}\r\nETag: "e"\r\n${FRESHNESS[path]?.()}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        )
      }
    })
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { 'gwdeploy/runtime': { workers: 1 } },
      endpoints: Object.keys(FRESHNESS).map((path) => ({
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

test('no-store followed by a tab: never stored, every request reaches the backend', async () => {
  const first = await send(gw.url, { path: '/no-store-tab' })
  const second = await send(gw.url, { path: '/no-store-tab' })
  assert.notEqual(second.text, first.text)
  assert.deepEqual(
    calls.filter((c) => c.path === '/no-store-tab').map((c) => c.conditional),
    [false, false],
  )
})

test('an Expires date followed by a tab: fresh for an hour, served from the cache', async () => {
  const first = await send(gw.url, { path: '/expires-tab' })
  const second = await send(gw.url, { path: '/expires-tab' })
  assert.equal(second.text, first.text)
  assert.equal(calls.filter((c) => c.path === '/expires-tab').length, 1)
})
