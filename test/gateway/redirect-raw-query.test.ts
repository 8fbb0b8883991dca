// A trailing-slash or fixed-path redirect carries the query on: Go's http.Redirect writes its raw
// bytes %-escaped in Location (hexEscapeNonASCII) but as they came in the GET body's link (gin
// redirects to req.URL.String(), whose RawQuery is the client's bytes; for an absolute-form target
// that URL has its scheme and host).
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, startGateway } from './helpers.ts'

let gw: Running

before(async () => {
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [{ endpoint: '/m/{x}', backend: [{ host: ['http://127.0.0.1:9999'], url_pattern: '/b' }] }],
    }),
  )
})
after(async () => {
  await gw?.close()
})

async function answer(target: string): Promise<string> {
  const socket = connect(Number(new URL(gw.url).port), '127.0.0.1')
  socket.write(Buffer.from(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 'latin1'))
  const chunks: Buffer[] = []
  for await (const chunk of socket) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('latin1')
}

test("the redirect body's link keeps a query's raw bytes; Location escapes them", async () => {
  let text = await answer('/m/a/?x=\xe9&y=<\xc3\xa9>')
  assert.match(text, /^HTTP\/1\.1 301 /)
  assert.match(text, /\r\nLocation: \/m\/a\?x=%e9&y=<%c3%a9>\r\n/)
  assert.ok(
    text.endsWith('\r\n\r\n<a href="/m/a?x=\xe9&amp;y=&lt;\xc3\xa9&gt;">Moved Permanently</a>.\n\n'),
    text,
  )
  text = await answer('/M/%C3%A9?q=\xe9')
  assert.ok(text.endsWith('<a href="/m/%C3%A9?q=\xe9">Moved Permanently</a>.\n\n'), text)
  // An escape the client sent stays one.
  text = await answer('/m/a/?x=%e9')
  assert.ok(text.endsWith('<a href="/m/a?x=%e9">Moved Permanently</a>.\n\n'), text)
})

test('an absolute-form target is redirected to its own scheme and host, as gin redirects to req.URL.String()', async () => {
  let text = await answer('http://abs.example/m/a/')
  assert.match(text, /\r\nLocation: http:\/\/abs\.example\/m\/a\r\n/)
  assert.ok(text.endsWith('<a href="http://abs.example/m/a">Moved Permanently</a>.\n\n'), text)
  // Go lower-cases the scheme; the host stays as written
  // raw bytes in an absolute-form target's query: in the link as sent too
  text = await answer('http://abs.example/m/a/?x=\xe9')
  assert.match(text, /\r\nLocation: http:\/\/abs\.example\/m\/a\?x=%e9\r\n/)
  assert.ok(text.endsWith('<a href="http://abs.example/m/a?x=\xe9">Moved Permanently</a>.\n\n'), text)
  text = await answer('HTTP://Abs.Example:80/M/a?q=1')
  assert.match(text, /\r\nLocation: http:\/\/Abs\.Example:80\/m\/a\?q=1\r\n/)
  assert.ok(text.endsWith('<a href="http://Abs.Example:80/m/a?q=1">Moved Permanently</a>.\n\n'), text)
})

test("an absolute-form target's redirect keeps the path gin set uncleaned, as http.Redirect leaves an absolute URL (it was cleaned)", async () => {
  // KrakenD CE 2.13.8's Locations (checked on the oracle build); origin-form targets stay cleaned.
  const location = async (target: string) => /\r\nLocation: ([^\r]*)\r\n/.exec(await answer(target))?.[1]
  assert.equal(await location('http://h/m/./'), 'http://h/m/.')
  assert.equal(await location('https://ABS.example:8080/m/%2E/?c=%20'), 'https://ABS.example:8080/m/.?c=%20')
  assert.equal(await location('/m/./'), '/m')
})

test("an absolute-form target's userinfo and host are written as url.Parse then String() writes them", async () => {
  // KrakenD CE 2.13.8's Locations (checked on the oracle build): unescaped, then escaped again.
  const location = async (target: string) => /\r\nLocation: ([^\r]*)\r\n/.exec(await answer(target))?.[1]
  assert.equal(await location('http://b\xfccher.example/m/a/'), 'http://b%FCcher.example/m/a')
  assert.equal(await location('http://b\xc3\xbccher.example/m/a/'), 'http://b%C3%BCcher.example/m/a')
  assert.equal(await location('http://b%c3%bccher.example/m/a/'), 'http://b%C3%BCcher.example/m/a')
  assert.equal(await location('http://u%41:p%40x@h.example/m/a/'), 'http://uA:p%40x@h.example/m/a')
  assert.equal(await location('http://[fe80::1%25en0]/m/a/'), 'http://[fe80::1%25en0]/m/a')
})
