// The head reader's pure parts: which heads go to undici untouched (plainHead), what Go's rules
// make of the others (readAnswerHead), and how they are written back for undici (undiciHead).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readAnswerHead, undiciHead } from '../../src/gateway/backend-answer-head.ts'
import { plainHead } from '../../src/gateway/backend-answer-head-scan.ts'

const plain = (text: string) => {
  const bytes = Buffer.from(text, 'latin1')
  return plainHead(bytes, bytes.indexOf('\r\n\r\n')) !== false
}

test('common heads are plain: undici reads them as Go does', () => {
  assert.ok(plain('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}'))
  assert.ok(plain('HTTP/1.1 204\r\n\r\n'))
  assert.ok(plain('HTTP/1.0 404 Not Found\r\nX-A:\r\nX-B: \xe9\t\r\n\r\n'))
  assert.ok(plain('HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n'))
  assert.ok(plain('HTTP/1.1 200 OK\r\ncontent-length:007\r\n\r\n'))
})

test('heads Go reads otherwise than undici are not plain', () => {
  for (const head of [
    'HTTP/1.1 100 Continue\r\n\r\n',
    'HTTP/1.1 099 Low\r\n\r\n',
    'HTTP/1.2 200 OK\r\n\r\n',
    'HTTP/1.1  200 OK\r\n\r\n',
    'HTTP/1.1 200 O\rK\r\n\r\n',
    'HTTP/1.1 200 OK\r\nX-A: 1\nX-B: 2\r\n\r\n',
    'HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\n\r\n',
    'HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n',
    'HTTP/1.1 200 OK\r\nX-A: \x7f\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Length: 7\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length:  7 \r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n',
    'HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n',
  ])
    assert.equal(plain(head), false, JSON.stringify(head))
})

test('a head cut anywhere before its end is read as not there yet, and as Go fails it at the end of the bytes', () => {
  const whole = 'HTTP/1.1 200 OK\nX-Fold: a\n\tb\nContent-Length: 7\n\n{"a":1}'
  const end = whole.indexOf('\n\n') + 2
  for (let cut = 1; cut < end; cut += 1) {
    const bytes = Buffer.from(whole.slice(0, cut), 'latin1')
    assert.deepEqual(readAnswerHead(bytes, false), { kind: 'more' }, `cut at ${cut}`)
    assert.equal(readAnswerHead(bytes, true).kind, 'refused', `cut at ${cut}`)
  }
  const head = readAnswerHead(Buffer.from(whole, 'latin1'), false)
  assert.equal(head.kind, 'head')
  if (head.kind !== 'head') return
  assert.equal(head.end, end)
  assert.deepEqual(head.fields, [
    ['X-Fold', 'a b'],
    ['Content-Length', '7'],
  ])
  assert.equal(undiciHead(head), 'HTTP/1.1 200 OK\r\nX-Fold: a b\r\nContent-Length: 7\r\n\r\n')
})

test("Go's framing: one Content-Length of equal ones, none beside chunked, no Transfer-Encoding on HTTP/1.0", () => {
  const read = (text: string) => {
    const head = readAnswerHead(Buffer.from(text, 'latin1'), false)
    assert.equal(head.kind, 'head', text)
    return head.kind === 'head' ? undiciHead(head) : ''
  }
  assert.equal(
    read('HTTP/1.1 200 OK\r\nContent-Length: 7\r\nX: 1\r\nContent-Length:  7 \r\n\r\n'),
    'HTTP/1.1 200 OK\r\nContent-Length: 7\r\nX: 1\r\n\r\n',
  )
  assert.equal(
    read('HTTP/1.1 200 OK\r\nContent-Length: 3\r\ntransfer-encoding: CHUNKED\r\n\r\n'),
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
  )
  assert.equal(read('HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'), 'HTTP/1.0 200 OK\r\n\r\n')
  assert.equal(read('HTTP/1.1 200 OK\r\nX-Sp : v\r\n\r\n'), 'HTTP/1.1 200 OK\r\n\r\n')
  // fixTrailer takes a chunked answer's Trailer line off; a 204 keeps its Content-Length (no body to frame)
  assert.equal(
    read('HTTP/1.1 200 OK\r\nTrailer: X-T\r\nTransfer-Encoding: chunked\r\n\r\n'),
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
  )
  assert.equal(
    read('HTTP/1.1 204 No Content\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n'),
    'HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n',
  )
})

test('a chunked answer naming a framing field as its trailer is refused as Go refuses it', () => {
  const head = readAnswerHead(
    Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x, content-length\r\n\r\n'),
    false,
  )
  assert.deepEqual(head, { kind: 'refused', reason: 'bad trailer key "Content-Length"' })
})

test("chunk-size lines as Go's chunked reader reads them, whatever the reads' boundaries", async () => {
  const { GoChunkLines } = await import('../../src/gateway/backend-answer-head-chunks.ts')
  const through = (body: string, cut: number) => {
    const lines = new GoChunkLines()
    const bytes = Buffer.from(body, 'latin1')
    let out = ''
    for (const part of [bytes.subarray(0, cut), bytes.subarray(cut)]) {
      const read = lines.read(part)
      out += read.bytes.toString('latin1')
      if (read.error !== undefined) return `${out}|${read.error}`
    }
    return out
  }
  const cases: Array<[string, string]> = [
    ['7\r\n{"a":1}\r\n0\r\n\r\n', '7\r\n{"a":1}\r\n0\r\n\r\n'],
    ['7 \t\r\n{"a":1}\r\n0 \r\nX-T: t\r\n\r\n', '7\r\n{"a":1}\r\n0\r\nX-T: t\r\n\r\n'],
    ['7;ext=1\r\n{"a":1}\r\n0\r\n\r\n', '7\r\n{"a":1}\r\n0\r\n\r\n'],
    ['0x7\r\n{"a":1}\r\n0\r\n\r\n', '|invalid byte in chunk length'],
    ['7\n{"a":1}\n0\n\n', '|chunked line ends with bare LF'],
    ['7\r\n{"a":1}XX0\r\n\r\n', '7\r\n{"a":1}|malformed chunked encoding'],
    [' \r\n', '|empty hex number for chunk length'],
    ['00000000000000007\r\n', '|http chunk length too large'],
  ]
  for (const [body, expected] of cases)
    for (let cut = 0; cut <= body.length; cut += 1)
      assert.equal(through(body, cut), expected, `${JSON.stringify(body)} cut at ${cut}`)
})
