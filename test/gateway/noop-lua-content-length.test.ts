// A Lua script's Content-Length on a no-op answer: Go's server takes it as the handler's (lura's
// noopRender copies the headers, io.Copy writes the body): a piece of body past it is refused
// (ErrContentLength) and the copy stops, and the connection closes when the length was not met;
// one that does not parse is dropped over HTTP/1.1 (chunked). The whole body went out behind a
// short length on a kept connection, which the client then read as its next answer (http10 sweep 3;
// KrakenD CE 2.13.8 as asserted here).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, startGateway } from './helpers.ts'
import { type AnsweringBackend, startAnsweringBackend } from './raw-answer-backend.ts'
import { exchange } from './raw-exchange.ts'

const BIG = 'x'.repeat(5000)
let backend: AnsweringBackend
let gw: Running

before(async () => {
  backend = await startAnsweringBackend((path) => {
    const body = path === '/big' ? BIG : 'hello'
    return `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`
  })
  const scripted = (name: string, length: string, path: string) => ({
    endpoint: `/${name}`,
    output_encoding: 'no-op',
    backend: [
      {
        host: [backend.origin],
        url_pattern: path,
        encoding: 'no-op',
        extra_config: {
          'modifier/lua-backend': {
            post: `local r = response.load(); r:headers("Content-Length", "${length}")`,
          },
        },
      },
    ],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        scripted('short', '3', '/small'),
        scripted('long', '999', '/small'),
        scripted('short-big', '3', '/big'),
        scripted('bad', 'abc', '/small'),
        scripted('exact', '5', '/small'),
      ],
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

/** The first answer's head lines and what followed it, with a second request behind it. */
async function first(path: string) {
  const all = await exchange(
    gw.url,
    `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\nGET /exact HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  )
  const end = all.indexOf('\r\n\r\n')
  return { head: all.slice(0, end).split('\r\n'), rest: all.slice(end + 4) }
}

for (const path of ['/short', '/short-big'])
  test(`${path.slice(1)}: a length below the body: no body, and the connection closes`, async () => {
    const { head, rest } = await first(path)
    assert.ok(head.includes('Content-Length: 3'), head.join('\n'))
    assert.equal(rest, '')
  })

test('a length above the body: the body, then the connection closes', async () => {
  const { head, rest } = await first('/long')
  assert.ok(head.includes('Content-Length: 999'))
  assert.equal(rest, 'hello')
})

test('a length that does not parse: left out over HTTP/1.1, the body chunked', async () => {
  const { head, rest } = await first('/bad')
  assert.ok(!head.some((line) => line.startsWith('Content-Length')), head.join('\n'))
  assert.ok(head.includes('Transfer-Encoding: chunked'))
  assert.ok(rest.startsWith('5\r\nhello\r\n0\r\n\r\nHTTP/1.1 200 OK'), rest)
})

test('the length of the body: the connection is kept', async () => {
  const { rest } = await first('/exact')
  assert.ok(rest.startsWith('helloHTTP/1.1 200 OK'), rest)
})
