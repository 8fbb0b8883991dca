// An absolute-form target without a path (`GET http://host`, `POST http://host?x=1`): Go's URL.Path
// is empty and gin routes "" as it is, never as `/`: a trailing-slash redirect where the method's
// tree has `/`, a fixed-path redirect to the empty path (Location the bare `scheme://host`) where
// its tree starts with a longer prefix, else 404 (no other method has the empty path, so no 405).
// Answers as KrakenD CE 2.13.8's on the same config.
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

before(async () => {
  backend = await startBackend('b')
  const endpoint = (path: string, method: string) => ({
    endpoint: path,
    method,
    backend: [{ host: ['$b'], url_pattern: '/echo' }],
  })
  gw = await startGateway(
    mustConfig(
      withBackends(
        {
          version: 3,
          endpoints: [
            endpoint('/', 'GET'),
            endpoint('/', 'PUT'),
            endpoint('/a', 'GET'),
            endpoint('/a/{p}', 'POST'),
            endpoint('/{x}', 'PATCH'),
          ],
        },
        { b: backend },
      ),
    ),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const ask = (method: string, target: string, ...fields: string[]) =>
  sendRaw(gw.url, rawRequest([`${method} ${target} HTTP/1.1`, 'Host: localhost', ...fields]))
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
})

test('no route and no 405 elsewhere: 404, and no backend is called', async () => {
  for (const method of ['PATCH', 'HEAD', 'OPTIONS', 'DELETE']) {
    const answer = await ask(method, 'http://localhost?x=1')
    assert.equal(answer.status, 404, method)
    assert.doesNotMatch(answer.head, /\r\nAllow:/i, method)
  }
  assert.deepEqual(backend.seen, [])
})
