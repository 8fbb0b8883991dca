// A gzip answer read as Go's gzip.Reader reads it, member by member: bytes after a whole member
// that are no gzip header fail only the read after that member's bytes, so lura's JSON decoder
// (and mxj's XML one, unless the error comes with the root's last byte; gofeed's always) is done
// before it sees the error; a string decoder reads on and fails with Go's words (`unexpected EOF`
// for fewer than 10 bytes, `gzip: invalid header` otherwise). zlib fails such a body whole. Header
// flags Go ignores are read; a name past Go's 512-byte buffer is refused. Every case checked
// against KrakenD CE 2.13.8 (krakend-diff over the same bodies served raw: 0 of 53 cases differ);
// zero padding after a member, a JSON feed, a sync flush before corrupt data and an empty chunked
// body too (the same bytes to KrakenD: the same statuses and texts).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { constants, deflateRawSync, gzipSync } from 'node:zlib'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'
import { type AnsweringBackend, NOT_FOUND, startAnsweringBackend } from './raw-answer-backend.ts'

const gz = (text: string) => gzipSync(Buffer.from(text))
const garbage = (bytes: Buffer, tail: string) => Buffer.concat([bytes, Buffer.from(tail, 'latin1')])
const RSS = '<rss version="2.0"><channel><title>t</title></channel></rss>'

const withFlags = (bytes: Buffer, flags: number) => {
  const copy = Buffer.from(bytes)
  copy[3] = (copy[3] as number) | flags
  return copy
}
/** A member whose header carries a file name (FNAME) of `length` bytes. */
const named = (text: string, length: number) => {
  const member = gz(text)
  return Buffer.concat([
    withFlags(member.subarray(0, 10), 0x08),
    Buffer.from(`${'n'.repeat(length)}\0`, 'latin1'),
    member.subarray(10),
  ])
}

/**
 * A member whose deflate data ends in a sync flush (an empty stored block) followed by a block of
 * the reserved type: corrupt data on a read of its own in Go, after all that came before.
 */
const flushedThenCorrupt = (text: string) =>
  Buffer.concat([
    gz('').subarray(0, 10),
    deflateRawSync(Buffer.from(text), { finishFlush: constants.Z_SYNC_FLUSH }),
    Buffer.from([0x07, 0, 0, 0, 0]),
  ])

const BODIES: Record<string, Buffer> = {
  short: garbage(gz('{"a":1}'), 'trailing'),
  long: garbage(gz('{"a":1}'), 'trailing-garbage!'),
  open: garbage(gz('[1,2'), 'trailing-garbage!'),
  'two-members': garbage(Buffer.concat([gz('{"a":'), gz('1}')]), 'xx'),
  'cut-second': Buffer.concat([gz('{"a":1}'), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2])]),
  reserved: withFlags(gz('{"a":1}'), 0x20),
  'long-name': named('{"a":1}', 600),
  'short-name': named('{"a":1}', 100),
  'xml-at-end': garbage(gz('<a><b>1</b></a>'), 'trailing'),
  'xml-before-end': garbage(gz('<a><b>1</b></a>\n'), 'trailing'),
  rss: garbage(gz(RSS), 'trailing'),
  'zeros-short': Buffer.concat([gz('{"a":1}'), Buffer.alloc(5)]),
  'zeros-long': Buffer.concat([gz('{"a":1}'), Buffer.alloc(16)]),
  'xml-zeros': Buffer.concat([gz('<a><b>1</b></a>'), Buffer.alloc(16)]),
  'flushed-xml': flushedThenCorrupt('<a><b>1</b></a>'),
  'long-name-second': Buffer.concat([gz('{"a":'), named('1}', 600)]),
  // the last member's size trailer is the body's: empty members before it do not show in the size
  'empty-then-long-name': Buffer.concat([gz(''), gz(''), named('{"a":1}', 600)]),
  'empty-then-whole': Buffer.concat([gz(''), gz('{"a":1}')]),
}

let backend: AnsweringBackend
let gw: Running

before(async () => {
  backend = await startAnsweringBackend((path) => {
    // an empty body framed chunked: Go's transport hands it to its gzip reader, which meets EOF
    if (path === '/empty-chunked')
      return Buffer.from(
        'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      )
    const body = BODIES[path.slice(1)]
    if (!body) return NOT_FOUND
    const head = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n`
    return Buffer.concat([Buffer.from(head), body])
  })
  const host = [backend.origin]
  const endpoints: Array<Record<string, unknown>> = Object.keys(BODIES).flatMap((name) =>
    ['json', 'string', 'xml', 'rss'].map((encoding) => ({
      endpoint: `/${encoding}/${name}`,
      backend: [{ host, url_pattern: `/${name}`, encoding }],
    })),
  )
  endpoints.push({
    endpoint: '/string/empty-chunked',
    backend: [{ host, url_pattern: '/empty-chunked', encoding: 'string' }],
  })
  // lura's own gunzip (the client sent its Accept-Encoding, so Go's transport left the body as it came)
  endpoints.push({
    endpoint: '/lura/short',
    input_headers: ['Accept-Encoding'],
    backend: [{ host, url_pattern: '/short' }],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '2s',
      extra_config: { router: { return_error_msg: true } },
      endpoints,
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

const answers = async (path: string, status: number, text: string, headers?: Record<string, string>) => {
  const res = await send(gw.url, { path, ...(headers && { headers }) })
  assert.equal(res.status, status, `${path}: ${res.text}`)
  assert.equal(res.text, text, path)
}

test('json: the first value of the whole members, the bytes after them never read', async () => {
  for (const name of ['short', 'long', 'two-members', 'cut-second'])
    await answers(`/json/${name}`, 200, '{"a":1}')
  await answers('/lura/short', 200, '{"a":1}', { 'accept-encoding': 'gzip' })
})

test("string, and json whose value is not whole: the read error in Go's words", async () => {
  await answers('/string/short', 500, 'unexpected EOF')
  await answers('/string/long', 500, 'gzip: invalid header')
  await answers('/json/open', 500, 'gzip: invalid header')
})

test("header flags Go ignores are read; a name past Go's 512-byte buffer is refused", async () => {
  await answers('/json/reserved', 200, '{"a":1}')
  await answers('/json/short-name', 200, '{"a":1}')
  await answers('/json/long-name', 500, 'gzip: invalid header')
})

test("xml: done before the error unless the error comes with the root's last byte; rss always", async () => {
  await answers('/xml/xml-before-end', 200, '{"a":{"b":"1"}}')
  await answers('/xml/xml-at-end', 500, 'xml.Decoder.Token() - unexpected EOF')
  const res = await send(gw.url, { path: '/rss/rss' })
  assert.equal(res.status, 200, res.text)
  assert.equal((JSON.parse(res.text) as { title?: string }).title, 't')
})

test('zero bytes after a member: Go reads them as the next header (zlib took them for padding and answered)', async () => {
  await answers('/string/zeros-short', 500, 'unexpected EOF')
  await answers('/string/zeros-long', 500, 'gzip: invalid header')
  await answers('/json/zeros-long', 200, '{"a":1}')
  await answers('/xml/xml-zeros', 500, 'xml.Decoder.Token() - gzip: invalid header')
})

test('a second member whose header Go refuses (a name past 511 bytes): Go hands up the first member, then fails', async () => {
  await answers('/json/long-name-second', 500, 'gzip: invalid header')
  await answers('/string/long-name-second', 500, 'gzip: invalid header')
})

test('empty members, then one whose header Go refuses: nothing is handed up before the error (zlib read it all)', async () => {
  await answers('/json/empty-then-long-name', 500, 'gzip: invalid header')
  await answers('/string/empty-then-long-name', 500, 'gzip: invalid header')
  await answers('/xml/empty-then-long-name', 500, 'xml.Decoder.Token() - gzip: invalid header')
  await answers('/rss/empty-then-long-name', 500, 'Failed to detect feed type')
  await answers('/json/empty-then-whole', 200, '{"a":1}')
})

test('rss: a JSON feed is read whole by gofeed, its read error dropped (an empty feed, not a failure)', async () => {
  const res = await send(gw.url, { path: '/rss/short' })
  assert.equal(res.status, 200, res.text)
  const feed = JSON.parse(res.text) as { type?: string; items?: unknown[] }
  assert.equal(feed.type, 'json')
  assert.deepEqual(feed.items, [])
})

test('corrupt deflate data right after a sync flush comes on a read of its own: xml has its root; string fails', async () => {
  await answers('/xml/flushed-xml', 200, '{"a":{"b":"1"}}')
  await answers('/string/flushed-xml', 500, 'flate: corrupt input before offset 22')
})

test("an empty chunked body marked gzip is an empty body to Go's gzip reader (EOF before a header)", async () => {
  await answers('/string/empty-chunked', 200, '{"content":""}')
})
