// qos/http-cache stores an answer once it has been read, as krakend/httpcache's cachingReadCloser
// does (on EOF, or on Close if Read was called): these are reads that were not seen as reads — a
// body lura's JSON decoder stops in, a redirect's body Go's client reads before following it (also
// when the redirect came from the cache after a 304), an empty body passed through. Each made a
// backend call where KrakenD answers from its cache (differential fuzz against KrakenD's cache).
import assert from 'node:assert/strict'
import { type AddressInfo, createServer, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

/**
 * The n-th call (from 0) of a path and whether it carried a validator, to the raw answer; two
 * parts are written 30 ms apart.
 */
type Script = (call: number, conditional: boolean) => string | Buffer | [Buffer, Buffer]
const FRESH = 'Cache-Control: max-age=3600\r\n'
const json = (status: string, headers: string, body: string, framing: 'length' | 'close') =>
  `HTTP/1.1 ${status}\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: application/json\r\n${headers}${
    framing === 'length' ? `Content-Length: ${body.length}\r\n` : 'Connection: close\r\n'
  }\r\n${body}`
const moved = (to: string, headers: string) =>
  json('301 Moved Permanently', `Location: ${to}\r\n${headers}`, '{"moved":true}', 'length')
const gzipText = (body: Buffer) =>
  Buffer.concat([
    Buffer.from(
      `HTTP/1.1 200 OK\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\n${FRESH}Content-Length: ${body.length}\r\n\r\n`,
    ),
    body,
  ])
/** A member whose header names a file of 600 bytes: zlib reads it, Go's 512-byte buffer refuses it. */
const longName = (member: Buffer) => {
  const header = Buffer.from(member.subarray(0, 10))
  header[3] = (header[3] as number) | 0x08
  return Buffer.concat([header, Buffer.from(`${'n'.repeat(600)}\0`, 'latin1'), member.subarray(10)])
}
/** A stale redirect with a validator; its revalidation's 304 makes it fresh. */
const revalidated: Script = (_call, conditional) =>
  conditional
    ? `HTTP/1.1 304 Not Modified\r\nDate: ${new Date().toUTCString()}\r\n${FRESH}\r\n`
    : moved('/target', 'ETag: "r"\r\n')

const SCRIPTS: Record<string, Script> = {
  '/unframed': (call) => json('200 OK', FRESH, `{"call":${call}}`, 'close'),
  '/moved': () => moved('/target', FRESH),
  '/revalidated-json': revalidated,
  '/revalidated-noop': revalidated,
  '/empty': () => json('200 OK', FRESH, '', 'length'),
  '/target': (call) => json('200 OK', '', `{"target":${call}}`, 'length'),
  // gzip the transport asked for, chunked, its last chunk written after a pause: lura's decoder has
  // its value before the body ends, closes it, and Go's cache stores what it read (decompressed).
  '/gzip-open': (call) => {
    const gzip = gzipSync(`{"call":${call}}`)
    const head = `HTTP/1.1 200 OK\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n${FRESH}Transfer-Encoding: chunked\r\n\r\n${gzip.length.toString(16)}\r\n`
    return [Buffer.concat([Buffer.from(head), gzip, Buffer.from('\r\n')]), Buffer.from('0\r\n\r\n')]
  },
  // gzip bodies Go's gzip reader fails: the cache stores on Close what it handed up before its error
  '/gzip-cut': (call) => gzipText(gzipSync(`plain text body, call ${call}`).subarray(0, 24)),
  '/gzip-not': (call) => gzipText(Buffer.from(`not gzip, call ${call}`)),
  '/gzip-long-name': (call) => gzipText(longName(gzipSync(`named, call ${call}`))),
  '/lru-hop': () => moved('/lru-dest', FRESH),
  '/lru-dest': (call) => json('200 OK', FRESH, `{"dest":${call}}`, 'length'),
}

const calls: Array<{ path: string; conditional: boolean }> = []
const callsOf = (path: string) => calls.filter((c) => c.path === path)
let backend: ReturnType<typeof createServer>
let gw: Running

before(async () => {
  backend = createServer((socket: Socket) => {
    let buffered = ''
    socket.on('error', () => {})
    socket.on('data', (data: Buffer) => {
      buffered += data.toString('latin1')
      for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end)
        buffered = buffered.slice(end + 4)
        const path = head.split(' ')[1] ?? ''
        const conditional = /\r\nif-(none-match|modified-since):/i.test(head)
        const script = SCRIPTS[path]
        const answer = script ? script(callsOf(path).length, conditional) : 'HTTP/1.1 404 Not Found\r\n\r\n'
        calls.push({ path, conditional })
        if (Array.isArray(answer)) {
          socket.write(answer[0])
          setTimeout(() => socket.write(answer[1]), 30)
        } else if (typeof answer === 'string' && answer.includes('Connection: close')) socket.end(answer)
        else socket.write(answer)
      }
    })
  })
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
  const host = [`http://127.0.0.1:${(backend.address() as AddressInfo).port}`]
  const cache = { 'qos/http-cache': {} }
  const endpoint = (path: string, noop = false, extra_config: object = cache) => ({
    endpoint: path,
    ...(noop && { output_encoding: 'no-op' }),
    backend: [{ host, url_pattern: path, extra_config, ...(noop && { encoding: 'no-op' }) }],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { 'gwdeploy/runtime': { workers: 1 } },
      endpoints: [
        endpoint('/unframed'),
        endpoint('/gzip-open'),
        endpoint('/moved'),
        endpoint('/revalidated-json'),
        endpoint('/revalidated-noop', true),
        endpoint('/empty', true),
        endpoint('/lru-hop', true, { 'qos/http-cache': { max_size: 100_000, max_items: 1 } }),
        ...['/gzip-cut', '/gzip-not', '/gzip-long-name'].map((path) => ({
          endpoint: path,
          backend: [{ host, url_pattern: path, encoding: 'string', extra_config: cache }],
        })),
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  backend?.close()
})

describe('qos/http-cache stores what was read', () => {
  test("a JSON answer that ends with its connection is stored once lura's decoder has the value", async () => {
    const first = await send(gw.url, { path: '/unframed' })
    const second = await send(gw.url, { path: '/unframed' })
    assert.equal(first.text, '{"call":0}')
    assert.equal(second.text, '{"call":0}')
    assert.equal(callsOf('/unframed').length, 1)
  })

  test('a gzip JSON answer still open when the decoder has its value is stored, decompressed', async () => {
    const first = await send(gw.url, { path: '/gzip-open' })
    const second = await send(gw.url, { path: '/gzip-open' })
    assert.equal(first.text, '{"call":0}')
    assert.equal(second.text, '{"call":0}')
    assert.equal(callsOf('/gzip-open').length, 1)
  })

  test('a fresh redirect with a body is stored as Go follows it (a JSON endpoint)', async () => {
    await send(gw.url, { path: '/moved' })
    const second = await send(gw.url, { path: '/moved' })
    assert.equal(second.text, '{"target":1}')
    assert.equal(callsOf('/moved').length, 1)
    assert.equal(callsOf('/target').length, 2)
  })

  for (const path of ['/revalidated-json', '/revalidated-noop'])
    test(`a cached redirect a 304 made fresh is stored again as Go follows it (${path})`, async () => {
      for (let i = 0; i < 3; i += 1) await send(gw.url, { path })
      assert.deepEqual(
        callsOf(path).map((c) => c.conditional),
        [false, true],
        'the third request finds the refreshed redirect fresh',
      )
    })

  test("a redirect's body is stored before the next hop is looked up (an LRU of one item)", async () => {
    // Each store evicts the other: the redirect, then its target; the next call finds neither.
    const first = await send(gw.url, { path: '/lru-hop' })
    const second = await send(gw.url, { path: '/lru-hop' })
    assert.equal(first.text, '{"dest":0}')
    assert.equal(second.text, '{"dest":1}')
    assert.equal(callsOf('/lru-hop').length, 2)
    assert.deepEqual(
      callsOf('/lru-dest').map((c) => c.conditional),
      [false, false],
    )
  })

  test("a gzip body Go's reader fails is stored as far as it was handed up: the error once, then that from the cache", async () => {
    const cut = [await send(gw.url, { path: '/gzip-cut' }), await send(gw.url, { path: '/gzip-cut' })]
    assert.equal(cut[0]?.status, 500)
    assert.equal(cut[1]?.status, 200)
    const content = (JSON.parse(cut[1]?.text ?? '') as { content: string }).content
    assert.ok(content.length > 0 && 'plain text body, call 0'.startsWith(content), content)
    assert.equal(callsOf('/gzip-cut').length, 1)
    // nothing handed up before a header Go's reader refuses: an empty body is stored
    const not = [await send(gw.url, { path: '/gzip-not' }), await send(gw.url, { path: '/gzip-not' })]
    assert.equal(not[0]?.status, 500)
    assert.equal(not[1]?.text, '{"content":""}')
    assert.equal(callsOf('/gzip-not').length, 1)
    // a header zlib reads and Go refuses: nothing handed up either
    const named = [
      await send(gw.url, { path: '/gzip-long-name' }),
      await send(gw.url, { path: '/gzip-long-name' }),
    ]
    assert.equal(named[0]?.status, 500)
    assert.equal(named[1]?.text, '{"content":""}')
    assert.equal(callsOf('/gzip-long-name').length, 1)
  })

  test('an empty no-op answer passed through is stored', async () => {
    const first = await send(gw.url, { path: '/empty' })
    const second = await send(gw.url, { path: '/empty' })
    assert.equal(first.status, 200)
    assert.equal(second.status, 200)
    assert.equal(second.text, '')
    assert.equal(callsOf('/empty').length, 1)
  })
})
