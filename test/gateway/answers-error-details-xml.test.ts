// return_error_details rendered as XML, as KrakenD CE writes it: krakend-xml hands lura's
// NamedHTTPResponseError struct to mxj, which writes encoding/xml's Marshal of it (Code, Msg, Enc)
// escaped as the element's text. We wrote the JSON field names as elements. Found by the
// response-side differential fuzz.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const LATIN1 = Buffer.from('caf\xe9 <b>', 'latin1')

let backend: Server
let gw: Running

before(async () => {
  backend = createServer((req, res) => {
    if (req.url === '/ok') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":1}')
    // caf\xe9 in Latin-1: not UTF-8
    if (req.url?.startsWith('/latin1'))
      return res.writeHead(req.url === '/latin1' ? 200 : 404, { 'content-type': 'text/plain' }).end(LATIN1)
    res.writeHead(404, { 'content-type': 'text/plain' }).end('<a k="v">\'q\' & "d"\n\tx\r</a>')
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  const failing = {
    host,
    url_pattern: '/missing',
    extra_config: { 'backend/http': { return_error_details: 'x' } },
  }
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        { endpoint: '/xml', output_encoding: 'xml', backend: [failing] },
        {
          endpoint: '/merged',
          output_encoding: 'xml',
          backend: [failing, { host, url_pattern: '/ok', group: 'g' }],
        },
        { endpoint: '/yaml', output_encoding: 'negotiate', backend: [failing] },
        {
          endpoint: '/latin1',
          output_encoding: 'xml',
          backend: [{ host, url_pattern: '/latin1', encoding: 'string' }],
        },
        {
          endpoint: '/latin1-details',
          output_encoding: 'xml',
          backend: [{ ...failing, url_pattern: '/latin1-404' }],
        },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  backend?.close()
})

const ERROR_TEXT =
  '&lt;NamedHTTPResponseError&gt;&lt;Code&gt;404&lt;/Code&gt;&lt;Msg&gt;&amp;lt;a k=&amp;#34;v&amp;#34;&amp;gt;' +
  '&amp;#39;q&amp;#39; &amp;amp; &amp;#34;d&amp;#34;&amp;#xA;&amp;#x9;x&amp;#xD;&amp;lt;/a&amp;gt;&lt;/Msg&gt;' +
  '&lt;Enc&gt;text/plain&lt;/Enc&gt;&lt;/NamedHTTPResponseError&gt;'

test("an error's details in XML are encoding/xml's text of lura's struct", async () => {
  const r = await send(gw.url, { path: '/xml' })
  assert.equal(r.status, 200)
  assert.equal(r.text, `<error_x>${ERROR_TEXT}</error_x>`)
  const merged = await send(gw.url, { path: '/merged' })
  assert.equal(merged.text, `<doc><error_x>${ERROR_TEXT}</error_x><g><a>1</a></g></doc>`)
  // the YAML render still writes the details under httpresponseerror
  const yaml = await send(gw.url, { path: '/yaml', headers: { accept: 'application/x-yaml' } })
  assert.match(yaml.text, /^error_x:\n {2}httpresponseerror:\n {4}http_status_code: 404\n/)
})

test("a byte that is not UTF-8 is written as it came in a string's XML text, as U+FFFD in the details' Msg", async () => {
  const text = await send(gw.url, { path: '/latin1' })
  assert.deepEqual(
    text.bytes,
    Buffer.concat([Buffer.from('<content>caf'), Buffer.from([0xe9]), Buffer.from(' &lt;b&gt;</content>')]),
  )
  const details = await send(gw.url, { path: '/latin1-details' })
  assert.match(details.text, /&lt;Msg&gt;caf\uFFFD &amp;lt;b&amp;gt;&lt;\/Msg&gt;/)
})
