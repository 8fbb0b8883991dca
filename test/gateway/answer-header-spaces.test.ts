// Go's textproto reads a backend's header value without the spaces and tabs around it, so a no-op
// endpoint passes `X-T: a  ` on as `X-T: a`, and Go's fixPragmaCacheControl sees `Pragma: no-cache<TAB>`
// as no-cache. undici keeps the trailing ones: the client got them as the backend wrote them.
import assert from 'node:assert/strict'
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, sendRaw, startGateway } from './helpers.ts'

let backend: Server
let gw: Running

before(async () => {
  backend = createServer((socket: Socket) => {
    socket.on('error', () => {})
    socket.once('data', () =>
      socket.end(
        'HTTP/1.1 200 OK\r\nX-T: a  \r\nX-U: \t b \t\r\nX-L: one \r\nX-L: two\t\r\nPragma: no-cache\t\r\nContent-Length: 2\r\n\r\nok',
      ),
    )
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/a',
          output_encoding: 'no-op',
          backend: [{ host, url_pattern: '/a', encoding: 'no-op' }],
        },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  backend?.close()
})

test("a no-op answer's header values reach the client without the spaces and tabs around them", async () => {
  const { status, head } = await sendRaw(gw.url, 'GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  assert.equal(status, 200)
  const lines = head.split('\r\n').slice(1)
  const values = (name: string) =>
    lines.filter((l) => l.toLowerCase().startsWith(`${name}:`)).map((l) => l.slice(name.length + 1))
  assert.deepEqual(values('x-t'), [' a'])
  assert.deepEqual(values('x-u'), [' b'])
  assert.deepEqual(values('x-l'), [' one', ' two'])
  assert.deepEqual(values('cache-control'), [' no-cache'])
})
