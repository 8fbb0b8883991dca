// What a backend/graphql backend receives, compared with lura's GraphQL middleware and Go's
// transport on the same requests (expected requests produced by lura's proxy package with Go 1.26).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { compileGraphql } from '../../src/gateway/components/graphql.ts'
import { mustConfig, type Running, sendRaw, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

let backend: RawBackend
let gw: Running

before(async () => {
  backend = await startRawBackend()
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/mutate',
          method: 'POST',
          backend: [
            {
              host: [backend.origin],
              url_pattern: '/graphql',
              extra_config: {
                'backend/graphql': { type: 'mutation', query: 'mutation { a }', method: 'GET' },
              },
            },
          ],
        },
        {
          endpoint: '/mutate-post',
          method: 'POST',
          backend: [
            {
              host: [backend.origin],
              url_pattern: '/graphql',
              extra_config: { 'backend/graphql': { type: 'mutation', query: 'mutation M($a: Int) { a }' } },
            },
          ],
        },
        ...[1, 2].map((count) => ({
          endpoint: `/mutate-defaults-${count}`,
          method: 'POST',
          concurrent_calls: count,
          extra_config: { router: { return_error_msg: true } },
          backend: [
            {
              host: [backend.origin],
              url_pattern: '/graphql',
              extra_config: {
                'backend/graphql': {
                  type: 'mutation',
                  query: 'mutation M($a: Int) { a }',
                  variables: { a: 1 },
                },
              },
            },
          ],
        })),
      ],
    }),
  )
})

const mutate = (body: string) =>
  sendRaw(
    gw.url,
    `POST /mutate-post HTTP/1.1\r\nHost: gw\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
after(async () => {
  await gw?.close()
  await backend?.close()
})

test('a GET GraphQL call of a POST backend goes out without a body or its framing, as Go sends a GET (it was chunked)', async () => {
  const body = '{"variables":{"b":"x"},"query":"q2"}'
  const res = await sendRaw(
    gw.url,
    `POST /mutate HTTP/1.1\r\nHost: gw\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  )
  assert.equal(res.status, 200)
  const request = backend.requests.at(-1) ?? ''
  assert.match(request, /^GET \/graphql/)
  assert.doesNotMatch(request, /\r\n(Transfer-Encoding|Content-Length):/i)
  assert.ok(request.endsWith('\r\n\r\n'), 'no body after the head')
  assert.match(request, /\r\nContent-Type: application\/json\r\n/)
})

test('a mutation variable beyond float64 fails the call in Go words, as Go decodes it (it went out as null)', async () => {
  const calls = backend.requests.length
  for (const body of ['{"a":1e400}', '{"b":[1,{"x":-1E400}]}', `{"a":${'9'.repeat(400)}}`])
    assert.equal((await mutate(body)).status, 500, body)
  assert.equal(backend.requests.length, calls, 'no backend call')
  const build = compileGraphql({
    type: 'mutation',
    method: 'POST',
    query: 'q',
    operationName: '',
    variables: undefined,
    queryPath: undefined,
  })
  // The first in the text, as Go's decoder meets it (not JavaScript's key order).
  assert.equal(
    build({}, Buffer.from('{"b":[1e400],"1":2e400}')),
    'json: cannot unmarshal number 1e400 into Go value of type float64',
  )
  assert.equal(typeof build({}, Buffer.from('{"a":1e-400,"b":"1e400"}')), 'object', 'an underflow is 0')
})

test('a lone surrogate escape in a mutation variable goes out as U+FFFD, as Go decodes it (it went out as the escape)', async () => {
  const res = await mutate('{"a":"x\\ud800y","\\udc00":"\\ud83d\\ude00"}')
  assert.equal(res.status, 200)
  const sent = (backend.requests.at(-1) ?? '').split('\r\n\r\n')[1] ?? ''
  assert.equal(
    Buffer.from(sent, 'latin1').toString('utf8'),
    '{"query":"mutation M($a: Int) { a }","variables":{"a":"x\uFFFDy","\uFFFD":"\u{1F600}"}}',
  )
})

test("a mutation body null with default variables is gin's recovered panic: 500, X-KrakenD only, no body (it was a backend failure, X-KrakenD-Completed and the message)", async () => {
  const calls = backend.requests.length
  for (const path of ['/mutate-defaults-1', '/mutate-defaults-2']) {
    const res = await sendRaw(
      gw.url,
      `POST ${path} HTTP/1.1\r\nHost: gw\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnull`,
    )
    assert.equal(res.status, 500, path)
    assert.match(res.head, /\r\nX-Krakend: Version 2\.13\.8\r\n/, path)
    assert.doesNotMatch(res.head, /\r\n(X-Krakend-Completed|Content-Type):/i, path)
    assert.match(res.head, /\r\nContent-Length: 0(\r\n|$)/, path)
  }
  assert.equal(backend.requests.length, calls, 'no backend call')
  // The gateway goes on serving (the concurrent calls' panic does not end the process).
  assert.equal((await mutate('{"a":2}')).status, 200)
})
