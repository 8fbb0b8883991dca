// What a backend/graphql backend receives, compared with lura's GraphQL middleware and Go's
// transport on the same requests (expected requests produced by lura's proxy package with Go 1.26).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
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
      ],
    }),
  )
})
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
