// lura's GraphQL GET middleware adds query, operationName and variables to the request's query map, and
// its Content-Type to the header map, after its own backend's URL was written. On a sequential endpoint
// the calls after it share those maps (lura's request copies share Query; a merge of GET/HEAD backends
// shares Headers too), so they carry them. Expected request lines are KrakenD CE 2.13.8's.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, rawRequest, sendRaw, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

let backend: RawBackend
let gw: Running

before(async () => {
  backend = await startRawBackend({ '/gql': '{"data":{"u":1}}' })
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/seq/{id}',
          input_query_strings: ['a'],
          extra_config: { proxy: { sequential: true } },
          backend: [
            {
              host,
              url_pattern: '/gql',
              extra_config: {
                'backend/graphql': {
                  type: 'query',
                  method: 'GET',
                  query: 'query Q($id: ID!) { u(id: $id) }',
                  operationName: 'Q',
                  variables: { id: '{id}', n: 1.5 },
                },
              },
            },
            { host, url_pattern: '/plain', group: 'p' },
            { host, url_pattern: '/plain2?z=1', group: 'q', input_query_strings: ['query'] },
          ],
        },
        {
          endpoint: '/seq-post/{id}',
          extra_config: { proxy: { sequential: true } },
          backend: [
            {
              host,
              url_pattern: '/gql',
              extra_config: { 'backend/graphql': { type: 'query', query: '{ a }' } },
            },
            { host, url_pattern: '/after-post', group: 'p' },
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

test('calls after a GraphQL GET backend on a sequential endpoint carry its query parameters and Content-Type, as from KrakenD (they had neither)', async () => {
  const res = await sendRaw(gw.url, rawRequest(['GET /seq/7?a=1&b=2 HTTP/1.1', 'Host: gw']))
  assert.equal(res.status, 200)
  const lines = backend.requests.map((r) => r.split('\r\n')[0])
  const query = 'query=query+Q%28%24id%3A+ID%21%29+%7B+u%28id%3A+%24id%29+%7D'
  assert.deepEqual(lines, [
    'GET /gql?a=1 HTTP/1.1',
    `GET /plain?a=1&operationName=Q&${query}&variables=%7B%22id%22%3A%227%22%2C%22n%22%3A1.5%7D HTTP/1.1`,
    `GET /plain2?z=1&${query} HTTP/1.1`,
  ])
  for (const i of [1, 2]) assert.match(backend.head(i), /\r\nContent-Type: application\/json(\r\n|$)/)
})

test("after a GraphQL POST backend the shared Content-Length fails the later call of another body length, as Go's client fails it in KrakenD (it was sent)", async () => {
  const calls = backend.requests.length
  const res = await sendRaw(gw.url, rawRequest(['GET /seq-post/7 HTTP/1.1', 'Host: gw']))
  assert.equal(res.status, 200)
  assert.match(res.head, /\r\nX-Krakend-Completed: false\r\n/)
  const lines = backend.requests.slice(calls).map((r) => r.split('\r\n')[0])
  assert.deepEqual(lines, ['POST /gql HTTP/1.1'], 'the call after it never reaches the backend')
})
