// Targets whose Go URL.Path is not what node:http's req.url reads. An absolute-form target without
// a path (`GET http://host`, `POST http://host?x=1`): Go's URL.Path is empty and gin routes "" as it
// is, never as `/`: a trailing-slash redirect where the method's tree has `/`, a fixed-path redirect
// to the empty path (Location the bare `scheme://host`) where its tree starts with a longer prefix,
// else 404 (no other method has the empty path, so no 405). A CONNECT authority (`x:443`, `x/a`):
// Go parses it as `http://x/a` and routes on its path, "" or `/a` (405 where another method has
// it). Answers as KrakenD CE 2.13.8's on the same config.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  mustConfig,
  type Running,
  rawRequest,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
  withBackends,
} from './helpers.ts'

let backend: TestBackend
let gw: Running
/** The same endpoints under remove_extra_slash: gin routes cleanPath("") = `/` there. */
let cleaning: Running

before(async () => {
  backend = await startBackend('b')
  const endpoint = (path: string, method: string) => ({
    endpoint: path,
    method,
    backend: [{ host: ['$b'], url_pattern: '/echo' }],
  })
  const config = (router: Record<string, unknown>) =>
    mustConfig(
      withBackends(
        {
          version: 3,
          extra_config: { router },
          endpoints: [
            endpoint('/', 'GET'),
            endpoint('/', 'PUT'),
            endpoint('/a', 'GET'),
            endpoint('/a/{p}', 'POST'),
            endpoint('/{x}', 'PATCH'),
            endpoint('/v/', 'DELETE'),
          ],
        },
        { b: backend },
      ),
    )
  gw = await startGateway(config({}))
  cleaning = await startGateway(config({ remove_extra_slash: true }))
})
after(async () => {
  await gw?.close()
  await cleaning?.close()
  await backend?.close()
})

const ask = (method: string, target: string, ...fields: string[]) =>
  sendRaw(gw.url, rawRequest([`${method} ${target} HTTP/1.1`, 'Host: localhost', ...fields]))
const allow = (head: string) => /\r\nAllow: ([^\r]*)/.exec(head)?.[1]
const location = (head: string) => /\r\nLocation: ([^\r]*)/.exec(head)?.[1]

test('a tree with `/` redirects the empty path to it, the query and a forwarded prefix kept as gin keeps them', async () => {
  let answer = await ask('GET', 'http://localhost')
  assert.equal(answer.status, 301)
  assert.equal(location(answer.head), 'http://localhost/')
  answer = await ask('GET', 'http://localhost?x=1')
  assert.equal(answer.status, 301)
  assert.equal(location(answer.head), 'http://localhost/?x=1')
  answer = await ask('PUT', 'http://localhost:80', 'Content-Length: 0')
  assert.equal(answer.status, 307)
  assert.equal(location(answer.head), 'http://localhost:80/')
  answer = await ask('GET', 'http://localhost', 'X-Forwarded-Prefix: /pre')
  assert.equal(answer.status, 301)
  assert.equal(location(answer.head), 'http://localhost/pre')
})

test('a tree whose root is a longer prefix redirects to the empty path itself: the bare scheme and host', async () => {
  let answer = await ask('POST', 'http://localhost', 'Content-Length: 0')
  assert.equal(answer.status, 307)
  assert.equal(location(answer.head), 'http://localhost')
  // `//` is cleaned to `/`, which gin's case-insensitive lookup also fixes to the empty path
  answer = await ask('POST', 'http://localhost//', 'Content-Length: 0')
  assert.equal(answer.status, 307)
  assert.equal(location(answer.head), 'http://localhost')
  answer = await ask('DELETE', 'http://localhost?x=1')
  assert.equal(answer.status, 307)
  assert.equal(location(answer.head), 'http://localhost?x=1')
})

test('no route and no 405 elsewhere: 404, and no backend is called', async () => {
  for (const method of ['PATCH', 'HEAD', 'OPTIONS']) {
    const answer = await ask(method, 'http://localhost?x=1')
    assert.equal(answer.status, 404, method)
    assert.doesNotMatch(answer.head, /\r\nAllow:/i, method)
  }
  assert.deepEqual(backend.seen, [])
})

test('a CONNECT authority is routed on the path after it: 405 with the methods that have it, else 404', async () => {
  for (const [target, allowed] of [
    ['x/a', 'GET, PATCH'],
    ['x/', 'GET, PUT'],
    ['x/v/', 'DELETE'],
    ['x/A', 'PATCH'],
    ['x/a/b?q=1', 'POST'],
    ['localhost:443', undefined],
    ['x?q', undefined],
    ['x//', undefined],
  ] as const) {
    const answer = await ask('CONNECT', target)
    assert.equal(answer.status, allowed === undefined ? 404 : 405, target)
    assert.equal(allow(answer.head), allowed, target)
  }
})

test('under remove_extra_slash the empty path is `/`: served, and a CONNECT authority answered 405', async () => {
  let answer = await sendRaw(
    cleaning.url,
    rawRequest(['GET http://localhost?x=1 HTTP/1.1', 'Host: localhost']),
  )
  assert.equal(answer.status, 200)
  assert.deepEqual(
    backend.seen.map((r) => r.url),
    ['/echo'],
  )
  backend.seen.length = 0
  for (const target of ['localhost:443', 'x?q', 'x//']) {
    answer = await sendRaw(cleaning.url, rawRequest([`CONNECT ${target} HTTP/1.1`, 'Host: localhost']))
    assert.equal(answer.status, 405, target)
    assert.equal(allow(answer.head), 'GET, PUT', target)
  }
})
