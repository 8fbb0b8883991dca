// return_error_details / return_error_code on a backend with the string, xml or rss encoding: lura's
// status handler reads the failed answer's body into the error whatever the encoding (only the
// decoders differ), so the body reaches the client. Found by the response-side differential fuzz:
// for those encodings the body was not read and http_body was missing (the code's answer empty).
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

let backend: Server
let gw: Running

before(async () => {
  backend = createServer((req, res) => {
    const [status, body] =
      req.url === '/xml' ? [404, '<a>1</a>'] : req.url === '/rss' ? [503, 'down'] : [400, '1E5']
    res.writeHead(status, { 'content-type': 'text/plain' }).end(body)
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  const details = { 'backend/http': { return_error_details: 'e' } }
  const code = { 'backend/http': { return_error_code: true } }
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        {
          endpoint: '/string',
          backend: [{ host, url_pattern: '/string', encoding: 'string', extra_config: details }],
        },
        {
          endpoint: '/xml',
          backend: [{ host, url_pattern: '/xml', encoding: 'xml', extra_config: details }],
        },
        {
          endpoint: '/merged',
          backend: [
            { host, url_pattern: '/string', encoding: 'string', group: 'g', extra_config: details },
            {
              host,
              url_pattern: '/rss',
              encoding: 'rss',
              extra_config: { 'backend/http': { return_error_details: 'f' } },
            },
          ],
        },
        {
          endpoint: '/rss-code',
          backend: [{ host, url_pattern: '/rss', encoding: 'rss', extra_config: code }],
        },
        {
          endpoint: '/string-code',
          backend: [{ host, url_pattern: '/string', encoding: 'string', extra_config: code }],
        },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  backend?.close()
})

test('return_error_details carries the failed body of a string or xml backend', async () => {
  const string = await send(gw.url, { path: '/string' })
  assert.equal(string.status, 200)
  assert.equal(
    string.text,
    '{"error_e":{"http_status_code":400,"http_body":"1E5","http_body_encoding":"text/plain"}}',
  )
  const xml = await send(gw.url, { path: '/xml' })
  assert.equal(
    xml.text,
    '{"error_e":{"http_status_code":404,"http_body":"\\u003ca\\u003e1\\u003c/a\\u003e","http_body_encoding":"text/plain"}}',
  )
  const merged = await send(gw.url, { path: '/merged' })
  assert.equal(
    merged.text,
    '{"error_e":{"http_status_code":400,"http_body":"1E5","http_body_encoding":"text/plain"},' +
      '"error_f":{"http_status_code":503,"http_body":"down","http_body_encoding":"text/plain"}}',
  )
})

test("return_error_code answers an rss or string backend's failed status with its body", async () => {
  const rss = await send(gw.url, { path: '/rss-code' })
  assert.equal(rss.status, 503)
  assert.equal(rss.text, 'down')
  const string = await send(gw.url, { path: '/string-code' })
  assert.equal(string.status, 400)
  assert.equal(string.text, '1E5')
})
