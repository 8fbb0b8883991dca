// What a backend's bytes become, and which request header lines count, as in KrakenD: Go's UTF-8
// decoding of invalid bytes, an XML body's declared charset, gin's first Accept line for negotiate.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, rawRequest, send, sendRaw, startGateway } from './helpers.ts'

const BODIES: Record<string, { type: string; bytes: Buffer }> = {
  // "a" + a truncated three-byte sequence (E2 82) + "a": Go reads two bad bytes, two U+FFFD.
  '/json': {
    type: 'application/json',
    bytes: Buffer.concat([Buffer.from('{"s":"a'), Buffer.from([0xe2, 0x82]), Buffer.from('a"}')]),
  },
  '/latin1': {
    type: 'application/xml',
    bytes: Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><doc><name>caf'),
      Buffer.from([0xe9]),
      Buffer.from('</name></doc>'),
    ]),
  },
  '/data': { type: 'application/json', bytes: Buffer.from('{"a":"1"}') },
}

let backend: Server
let gw: Running

before(async () => {
  backend = createServer((req, res) => {
    const body = BODIES[req.url ?? ''] ?? { type: 'text/plain', bytes: Buffer.from('no') }
    res.writeHead(200, { 'content-type': body.type }).end(body.bytes)
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'bytes',
      endpoints: [
        { endpoint: '/json', backend: [{ host, url_pattern: '/json' }] },
        { endpoint: '/xml', backend: [{ host, url_pattern: '/latin1', encoding: 'xml' }] },
        { endpoint: '/negotiate', output_encoding: 'negotiate', backend: [{ host, url_pattern: '/data' }] },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await new Promise((resolve) => backend?.close(resolve))
})

test('invalid UTF-8 in a JSON backend body: one U+FFFD per bad byte, as Go decodes it', async () => {
  const res = await send(gw.url, { path: '/json' })
  assert.equal(res.status, 200)
  assert.deepEqual(JSON.parse(res.text), { s: 'a\uFFFD\uFFFDa' })
})

test("an XML backend's declared charset is decoded (krakend-xml's charset reader)", async () => {
  const res = await send(gw.url, { path: '/xml' })
  assert.equal(res.status, 200, res.text)
  assert.deepEqual(JSON.parse(res.text), { doc: { name: 'café' } })
})

test('negotiate reads the first Accept line, as gin reads Header.Get', async () => {
  const res = await sendRaw(
    gw.url,
    rawRequest(['GET /negotiate HTTP/1.1', 'Host: a', 'Accept: text/html', 'Accept: application/xml']),
  )
  assert.equal(res.status, 200)
  assert.match(res.head.toLowerCase(), /content-type: application\/json/)
})
