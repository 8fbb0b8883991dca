// backend/graphql as KrakenD CE sends it, found by differential fuzzing against lura's proxy stack:
// a GET GraphQL call carries no GraphQL (lura adds it to the Query map after its load balancer
// wrote the URL), a mutation body is decoded byte by byte as Go decodes it, and a variable lura
// cannot slice is a config error (KrakenD panics at start).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, sendRaw, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

let backend: RawBackend
let gw: Running

const graphqlBackend = (host: string, urlPattern: string, graphql: Record<string, unknown>) => ({
  host: [host],
  url_pattern: urlPattern,
  extra_config: { 'backend/graphql': graphql },
})

before(async () => {
  backend = await startRawBackend()
  const host = backend.origin
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        {
          endpoint: '/query/{id}',
          input_query_strings: ['a'],
          backend: [
            graphqlBackend(host, '/gql?x=1', {
              type: 'query',
              method: 'GET',
              query: 'query Op($id: ID) { a(id: $id) }',
              operationName: 'Op',
              variables: { id: '{id}', n: 1 },
            }),
          ],
        },
        {
          endpoint: '/mutate-get',
          method: 'POST',
          backend: [
            graphqlBackend(host, '/gql', {
              type: 'mutation',
              method: 'get',
              query: 'mutation { m }',
              variables: { d: 2 },
            }),
          ],
        },
        {
          endpoint: '/mutate',
          method: 'POST',
          backend: [graphqlBackend(host, '/gql', { type: 'mutation', query: 'mutation { m }' })],
        },
        {
          endpoint: '/lua-method',
          method: 'POST',
          backend: [
            {
              host: [host],
              url_pattern: '/gql',
              extra_config: {
                'backend/graphql': { type: 'query', method: 'GET', query: '{ a }' },
                'modifier/lua-backend': {
                  pre: "local r = request.load(); r:headers('X-Method', r:method())",
                },
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

const post = (path: string, body: Buffer | string) => {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body)
  return sendRaw(
    gw.url,
    Buffer.concat([
      Buffer.from(
        `POST ${path} HTTP/1.1\r\nHost: gw\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`,
      ),
      bytes,
    ]),
  )
}

test('a GET GraphQL query reaches the backend with the url_pattern query and input_query_strings only (query, operationName and variables were added)', async () => {
  const res = await sendRaw(
    gw.url,
    'GET /query/abc?a=1&b=2 HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n',
  )
  assert.equal(res.status, 200)
  const head = backend.head()
  assert.equal(head.split('\r\n')[0], 'GET /gql?x=1&a=1 HTTP/1.1')
  assert.match(head, /\r\nContent-Type: application\/json(\r\n|$)/)
  assert.ok(backend.requests.at(-1)?.endsWith('\r\n\r\n'), 'no body')
})

test('a GET GraphQL mutation still decodes the body (a bad one fails the call) and sends none of it', async () => {
  const calls = backend.requests.length
  assert.equal((await post('/mutate-get', 'not json')).status, 500)
  assert.equal(backend.requests.length, calls, 'no backend call')
  assert.equal((await post('/mutate-get', '{"v":1}')).status, 200)
  assert.equal(backend.head().split('\r\n')[0], 'GET /gql HTTP/1.1')
})

test('invalid UTF-8 in a mutation body becomes one U+FFFD per byte, as Go decodes it (a truncated sequence was one)', async () => {
  const body = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xe2, 0x82]), Buffer.from('x"}')])
  assert.equal((await post('/mutate', body)).status, 200)
  const sent = Buffer.from(backend.requests.at(-1) ?? '', 'latin1')
  const json = sent.subarray(sent.indexOf('\r\n\r\n') + 4).toString('utf8')
  assert.equal(json, '{"query":"mutation { m }","variables":{"a":"\uFFFD\uFFFDx"}}')
})

test('a mutation body nested deeper than Go decodes (10000 levels) fails the call unsent (it went to the backend)', async () => {
  const calls = backend.requests.length
  const deep = `{"a":${'['.repeat(10001)}${']'.repeat(10001)}}`
  assert.equal((await post('/mutate', deep)).status, 500)
  assert.equal(backend.requests.length, calls, 'no backend call')
  const fine = `{"a":${'['.repeat(9990)}${']'.repeat(9990)}}`
  assert.equal((await post('/mutate', fine)).status, 200)
})

test('a "{}" variable is a config error: lura slices it as a {param} placeholder and KrakenD panics at start', () => {
  const result = validateGatewayConfig({
    version: 3,
    name: 'x',
    endpoints: [
      {
        endpoint: '/a',
        backend: [
          graphqlBackend('http://127.0.0.1:19', '/b', { type: 'query', query: 'q', variables: { x: '{}' } }),
        ],
      },
    ],
  })
  const error = result.errors.find((e) => e.location?.path?.endsWith('variables.x'))
  assert.match(error?.message ?? '', /panic at startup/)
})

test("a lua-backend script reads backend/graphql's method, as lura's GraphQL middleware sets it above the backend stack (it read the endpoint's POST)", async () => {
  assert.equal((await post('/lua-method', '{}')).status, 200)
  const head = backend.head()
  assert.equal(head.split('\r\n')[0], 'GET /gql HTTP/1.1')
  assert.match(head, /\r\nX-Method: GET(\r\n|$)/)
})

test("a mutation body cut short inside a number fails with the error json.Unmarshal's scanner gives on its closing space (it said unexpected end of JSON input)", async () => {
  const failure = async (body: string) => {
    const res = await send(gw.url, { method: 'POST', path: '/mutate', body })
    assert.equal(res.status, 500)
    return res.text
  }
  assert.equal(await failure('1.'), "invalid character ' ' after decimal point in numeric literal")
  assert.equal(await failure('-'), "invalid character ' ' in numeric literal")
  assert.equal(await failure('{"a":1e'), "invalid character ' ' in exponent of numeric literal")
  assert.equal(await failure('{"a":1'), 'unexpected end of JSON input')
})
