import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { test } from 'node:test'
import { createServer } from '../../src/gateway/node-http.ts'

// node:http calls the request listener from inside its parser: an error thrown there (or in the
// checks before the handler) went out of the parser and ended the process. It ends the connection.
test('an error thrown while a request is handed over ends its connection only; the server serves on', async () => {
  const panics: unknown[] = []
  const server = createServer(
    { maxHeaderBytes: 1 << 20, onPanic: (error) => panics.push(error) },
    (req, res) => {
      if (req.url === '/throw') throw new Error('handler bug')
      res.end('ok')
    },
  )
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  try {
    const socket = connect(port, '127.0.0.1')
    socket.write('GET /throw HTTP/1.1\r\nHost: x\r\n\r\n')
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    await once(socket as Socket, 'close')
    assert.equal(Buffer.concat(chunks).length, 0)
    assert.equal(panics.length, 1)
    assert.match(String(panics[0]), /handler bug/)
    const after = await fetch(`http://127.0.0.1:${port}/fine`)
    assert.equal(await after.text(), 'ok')
  } finally {
    server.closeAllConnections()
    server.close()
  }
})
