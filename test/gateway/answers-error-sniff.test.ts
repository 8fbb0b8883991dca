// The Content-Type of an error answer whose text gin writes (router.return_error_msg): Go's server
// sniffs it from the bytes (http.DetectContentType), which may hold a backend's error body as it
// came. Found by the response-side differential fuzz: a UTF-16 body (BOM FF FE) answered
// `text/plain; charset=utf-8` where KrakenD answers `text/plain; charset=utf-16le`.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const BODIES: Record<string, Buffer> = {
  '/utf16': Buffer.from([0xff, 0xfe, 0x41, 0x00]),
  '/pdf': Buffer.from('%PDF-1.4 x'),
  '/nul': Buffer.from('a\u0000b'),
}

let backend: Server
let gw: Running

before(async () => {
  // Raw answers: node:http would add a Content-Type of its own to none
  backend = createServer((socket) => {
    socket.on('error', () => {})
    socket.once('data', (chunk: Buffer) => {
      const path = chunk.toString('latin1').split(' ')[1] ?? ''
      const body = BODIES[path] ?? Buffer.from('x')
      const status = path === '/other' ? 500 : 400
      socket.end(
        Buffer.concat([
          Buffer.from(`HTTP/1.1 ${status} X\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`),
          body,
        ]),
      )
    })
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as { port: number }).port}`]
  const code = { 'backend/http': { return_error_code: true } }
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        {
          endpoint: '/merged',
          backend: [
            { host, url_pattern: '/utf16', extra_config: code },
            { host, url_pattern: '/other', group: 'g' },
          ],
        },
        { endpoint: '/pdf', backend: [{ host, url_pattern: '/pdf', extra_config: code }] },
        { endpoint: '/nul', backend: [{ host, url_pattern: '/nul', extra_config: code }] },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  backend?.close()
})

test("an error text's Content-Type is what Go's server sniffs from its bytes", async () => {
  const merged = await send(gw.url, { path: '/merged' })
  assert.equal(merged.status, 500)
  assert.equal(merged.headers['content-type'], 'text/plain; charset=utf-16le')
  const pdf = await send(gw.url, { path: '/pdf' })
  assert.equal(pdf.status, 400)
  assert.equal(pdf.headers['content-type'], 'application/pdf')
  const nul = await send(gw.url, { path: '/nul' })
  assert.equal(nul.headers['content-type'], 'application/octet-stream')
})
