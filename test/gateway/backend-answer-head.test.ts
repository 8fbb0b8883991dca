// A backend answer's head read as Go's transport reads it (KrakenD's http.Client), not as undici's
// stricter parser reads it: heads Go takes (two equal Content-Lengths, Content-Length beside
// chunked, bare-LF line ends, obs-fold, `Name : v`, HTTP/1.2...) are answered, heads Go refuses
// (Transfer-Encoding other than chunked, an empty line before the status line...) fail with Go's
// error text, as return_error_msg shows it. Each expectation is KrakenD CE 2.13.8's answer to the
// same backend bytes (krakend-diff over raw TCP backends).
import assert from 'node:assert/strict'
import type { Socket } from 'node:net'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'
import { type AnsweringBackend, startAnsweringBackend } from './raw-answer-backend.ts'

const ok = (extra: string, body = '{"a":1}') =>
  `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n${extra}\r\n${body}`
const chunked = '7\r\n{"a":1}\r\n0\r\n\r\n'

/** Backend answers KrakenD reads as a 200 `{"a":1}`. */
const READ: Record<string, string> = {
  'equal-lengths': ok('Content-Length: 7\r\nContent-Length: 7\r\n'),
  'length-and-chunked': `HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`,
  'chunked-and-length': `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 7\r\n\r\n${chunked}`,
  'bare-lf': 'HTTP/1.1 200 OK\nContent-Type: application/json\nContent-Length: 7\n\n{"a":1}',
  'obs-fold': ok('X-Fold: a\r\n b\r\nContent-Length: 7\r\n'),
  'space-before-colon': ok('X-Sp : v\r\nContent-Length: 7\r\n'),
  'two-spaces': 'HTTP/1.1  200 OK\r\nContent-Length: 7\r\n\r\n{"a":1}',
  'spaced-length': ok('Content-Length:  7 \r\n'),
  'cr-in-reason': 'HTTP/1.1 200 O\rK\r\nContent-Length: 7\r\n\r\n{"a":1}',
  'http-1.2': 'HTTP/1.2 200 OK\r\nContent-Length: 7\r\n\r\n{"a":1}',
  'http-3.0': 'HTTP/3.0 200 OK\r\nContent-Length: 7\r\n\r\n{"a":1}',
  'interim-bare-lf': `HTTP/1.1 103 Early Hints\nLink: </a>\n\n${ok('Content-Length: 7\r\n')}`,
}

/** Backend answers Go's transport refuses, and the words it refuses them with. */
const REFUSED: Record<string, [answer: string, reason: string]> = {
  'gzip-chunked': [
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n${chunked}`,
    'unsupported transfer encoding: "gzip, chunked"',
  ],
  identity: [ok('Transfer-Encoding: identity\r\n'), 'unsupported transfer encoding: "identity"'],
  'empty-encoding': [ok('Transfer-Encoding: \r\nContent-Length: 7\r\n'), 'unsupported transfer encoding: ""'],
  'two-encodings': [
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`,
    'too many transfer encodings: ["chunked" "chunked"]',
  ],
  'empty-line-first': [`\r\n${ok('Content-Length: 7\r\n')}`, 'malformed HTTP response ""'],
  'space-first': [` ${ok('Content-Length: 7\r\n')}`, 'malformed HTTP status code "HTTP/1.1"'],
  'other-lengths': [
    ok('Content-Length: 7\r\nContent-Length: 8\r\n'),
    'http: message cannot contain multiple Content-Length headers; got ["7" "8"]',
  ],
  'plus-length': [ok('Content-Length: +7\r\n'), 'bad Content-Length "+7"'],
  'list-length': [ok('Content-Length: 7,7\r\n'), 'bad Content-Length "7,7"'],
  'huge-length': [
    ok('Content-Length: 99999999999999999999\r\n'),
    'bad Content-Length "99999999999999999999"',
  ],
  'empty-length': [ok('Content-Length: \r\n'), 'invalid empty Content-Length ""'],
  'long-status': [
    'HTTP/1.1 1000 OK\r\nContent-Length: 7\r\n\r\n{"a":1}',
    'malformed HTTP status code "1000"',
  ],
  'glued-reason': [
    'HTTP/1.1 200OK\r\nContent-Length: 7\r\n\r\n{"a":1}',
    'malformed HTTP status code "200OK"',
  ],
  'http-2': ['HTTP/2 200 OK\r\nContent-Length: 7\r\n\r\n{"a":1}', 'malformed HTTP version "HTTP/2"'],
  'lower-http': ['http/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{"a":1}', 'malformed HTTP version "http/1.1"'],
  'at-in-name': [ok('X@Y: 1\r\nContent-Length: 7\r\n'), 'malformed MIME header line: "X@Y: 1"'],
  'cr-in-value': [ok('X-CR: a\rb\r\nContent-Length: 7\r\n'), 'malformed MIME header line: "X-Cr: a\\rb"'],
  'nul-in-value': [
    ok('X-Nul: a\x00b\r\nContent-Length: 7\r\n'),
    'malformed MIME header line: "X-Nul: a\\x00b"',
  ],
  'no-name': [ok(': v\r\nContent-Length: 7\r\n'), 'malformed MIME header line: ": v"'],
  'no-colon': [ok('Foo\r\nContent-Length: 7\r\n'), 'malformed MIME header: missing colon: "Foo"'],
  'latin1-name': [ok('X-\xc9: v\r\nContent-Length: 7\r\n'), 'malformed MIME header line: "X-\\xc9: v"'],
  'leading-space': [
    'HTTP/1.1 200 OK\r\n X-Lead: 1\r\nContent-Length: 7\r\n\r\n{"a":1}',
    'malformed MIME header initial line: " X-Lead: 1"',
  ],
  'half-head': ['HTTP/1.1 200 OK\r\nContent-Type: app', 'unexpected EOF'],
  'half-status': ['HTTP/1.1 20', 'malformed HTTP status code "20"'],
}

let backend: AnsweringBackend
let gw: Running
let origin = ''

const answerOf = (path: string): string =>
  READ[path] ?? REFUSED[path]?.[0] ?? ANSWERS[path] ?? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'

const ANSWERS: Record<string, string> = {
  'http-1.0-chunked': `HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`,
  'status-99': 'HTTP/1.1 099 Low\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}',
}

/** Writes an answer one byte per write (a head split over many socket reads). */
async function trickle(socket: Socket, bytes: Buffer): Promise<void> {
  for (let i = 0; i < bytes.length; i += 1) {
    if (socket.destroyed) return
    socket.write(bytes.subarray(i, i + 1))
    await new Promise((resolve) => setImmediate(resolve))
  }
  socket.end()
}

before(async () => {
  backend = await startAnsweringBackend((target, socket) => {
    const [, mode = '', path = ''] = target.split('/')
    const answer = Buffer.from(answerOf(path), 'latin1')
    // `keep`: an answer on a connection kept open for the next request (a plain head first)
    if (mode === 'keep') socket.write(answer)
    else if (mode === 'trickle') void trickle(socket, answer)
    else return answer
    return undefined
  })
  origin = backend.origin
  const host = [origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '2s',
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        { endpoint: '/j/{mode}/{path}', backend: [{ host, url_pattern: '/{mode}/{path}' }] },
        {
          endpoint: '/n/{mode}/{path}',
          output_encoding: 'no-op',
          backend: [{ host, url_pattern: '/{mode}/{path}', encoding: 'no-op' }],
        },
      ],
    }),
  )
})

after(async () => {
  await gw.close()
  backend.close()
})

for (const path of Object.keys(READ))
  for (const mode of ['close', 'trickle'])
    test(`a head Go reads is answered: ${path} (${mode})`, async () => {
      for (const kind of ['j', 'n']) {
        const res = await send(gw.url, { path: `/${kind}/${mode}/${path}` })
        assert.equal(res.status, 200, `${kind}: ${res.text}`)
        assert.equal(res.text, '{"a":1}')
      }
    })

test('an obs-folded value reaches a no-op answer joined by one space, as Go joins it', async () => {
  const res = await send(gw.url, { path: '/n/close/obs-fold' })
  assert.equal(res.headers['x-fold'], 'a b')
})

for (const [path, [, reason]] of Object.entries(REFUSED))
  for (const mode of ['close', 'trickle'])
    test(`a head Go refuses fails with Go's words: ${path} (${mode})`, async () => {
      for (const kind of ['j', 'n']) {
        const res = await send(gw.url, { path: `/${kind}/${mode}/${path}` })
        assert.equal(res.status, 500)
        assert.equal(
          res.text,
          `Get "${origin}/${mode}/${path}": net/http: HTTP/1.x transport connection broken: ${reason}`,
        )
      }
    })

test("an HTTP/1.0 answer's Transfer-Encoding is ignored: the body is read raw, as Go reads it", async () => {
  const noop = await send(gw.url, { path: '/n/close/http-1.0-chunked' })
  assert.equal(noop.status, 200)
  assert.equal(noop.text, chunked)
  const json = await send(gw.url, { path: '/j/close/http-1.0-chunked' })
  assert.equal(json.status, 500)
  assert.equal(json.text, 'json: cannot unmarshal number into Go value of type map[string]interface {}')
})

test("a status under 100 is lura's invalid status, not undici's internal assertion", async () => {
  const res = await send(gw.url, { path: '/j/close/status-99' })
  assert.equal(res.status, 500)
  assert.equal(res.text, `invalid status code 99 [GET /{{.Mode}}/{{.Path}}]: ${origin}/close/status-99`)
})

test('a kept-alive connection: a plain answer, then one Go reads otherwise on the same connection', async () => {
  for (let i = 0; i < 3; i += 1) {
    const plain = await send(gw.url, { path: '/j/keep/spaced-length' })
    assert.equal(plain.text, '{"a":1}')
    const folded = await send(gw.url, { path: '/n/keep/obs-fold' })
    assert.equal(folded.text, '{"a":1}')
    assert.equal(folded.headers['x-fold'], 'a b')
  }
})
