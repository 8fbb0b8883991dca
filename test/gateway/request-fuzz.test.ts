// Seeded random client requests against one gateway whose endpoints use most components (CORS,
// bot detector, security/http, CEL on headers, rate limits by parameter and header, JSON schema,
// Lua, martian, a merge, a no-op passthrough, the echo and debug endpoints). Methods, paths,
// query strings, header names and bodies are drawn from lists that include the names JavaScript
// objects carry (`__proto__`, `constructor`, `toString`...). Whatever a client sends, the gateway
// must answer it (no hang), never with a 5xx (every backend here answers 200), never through the
// recovery path (an error no handler expected), and must leave the objects every request shares
// as they were. A `__proto__` header on the echo endpoint used to end the whole process.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createLogger } from '../../src/gateway/logging.ts'
import { changedShared, seededRandom, sharedObjects } from './fuzz-helpers.ts'
import {
  mustConfig,
  type Running,
  rawRequest,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from './helpers.ts'

const NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'x',
  'X-A',
  'X-K',
  'q',
  'a',
  'length',
  '0',
  'Origin',
  'User-Agent',
  'Accept',
]
const VALUES = [
  '1',
  '',
  'deny',
  'evil',
  'bad bot',
  '*',
  'null',
  '{}',
  '%00',
  '%zz',
  'a,b',
  'https://x.example',
]
const PATHS = [
  '/p/1',
  '/p/__proto__',
  '/p/constructor',
  '/rl/__proto__',
  '/rl/constructor',
  '/rl/toString',
  '/rh',
  '/schema',
  '/lua',
  '/martian',
  '/merge',
  '/noop',
  '/__echo/__proto__',
  '/__debug/constructor',
  '/__health',
  '/nope',
  '/p/%2e%2e',
]
const BODIES = ['{"a":1}', '{"__proto__":{"a":1}}', '{"constructor":1,"a":"x"}', '[]', 'null', '{', '']

const lines: string[] = []
let backend: TestBackend
let gw: Running

before(async () => {
  backend = await startBackend('api')
  const host = [backend.origin]
  const logger = createLogger({
    level: 'ERROR',
    format: 'default',
    prefix: '[FUZZ]',
    accessLog: false,
    out: { write: (chunk: string) => lines.push(chunk), writableLength: 0 },
  })
  const limit = (strategy: string, key: string) => ({
    'qos/ratelimit/router': { max_rate: 100_000, client_max_rate: 100_000, strategy, key },
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'request-fuzz',
      echo_endpoint: true,
      debug_endpoint: true,
      extra_config: {
        'security/cors': {
          allow_origins: ['*'],
          allow_methods: ['GET', 'POST'],
          allow_headers: ['Constructor'],
        },
        'security/bot-detector': { deny: ['evil'], patterns: ['bad.*'] },
        'security/http': { frame_deny: true, sts_seconds: 10 },
        router: { return_error_msg: true },
      },
      endpoints: [
        {
          endpoint: '/p/{id}',
          input_headers: ['*'],
          input_query_strings: ['*'],
          extra_config: {
            'validation/cel': [{ check_expr: "!('x' in req_headers) || req_headers['x'][0] != 'deny'" }],
          },
          backend: [{ host, url_pattern: '/echo/{id}' }],
        },
        {
          endpoint: '/rl/{key}',
          extra_config: limit('param', 'key'),
          backend: [{ host, url_pattern: '/echo' }],
        },
        { endpoint: '/rh', extra_config: limit('header', 'X-K'), backend: [{ host, url_pattern: '/echo' }] },
        {
          endpoint: '/schema',
          method: 'POST',
          extra_config: {
            'validation/json-schema': {
              type: 'object',
              properties: { a: { type: 'number' } },
              required: ['a'],
            },
          },
          backend: [{ host, url_pattern: '/echo' }],
        },
        {
          endpoint: '/lua',
          method: 'POST',
          input_headers: ['*'],
          input_query_strings: ['*'],
          extra_config: {
            'modifier/lua-proxy': {
              pre: "local r = request.load(); r:headers('X-B', r:headers('X-A') or 'none'); local q = r:query('q')",
              post: "local r = response.load(); r:data():set('seen', 'yes')",
            },
          },
          backend: [{ host, url_pattern: '/echo' }],
        },
        {
          endpoint: '/martian',
          input_query_strings: ['*'],
          backend: [
            {
              host,
              url_pattern: '/echo',
              extra_config: {
                'modifier/martian': {
                  'fifo.Group': {
                    scope: ['request'],
                    modifiers: [
                      { 'header.Modifier': { scope: ['request'], name: 'X-M', value: 'v' } },
                      { 'querystring.Modifier': { scope: ['request'], name: 'q2', value: 'v' } },
                    ],
                  },
                },
              },
            },
          ],
        },
        {
          endpoint: '/merge',
          backend: [
            { host, url_pattern: '/echo', group: 'a' },
            { host, url_pattern: '/echo', group: 'b', allow: ['path', 'query'] },
          ],
        },
        {
          endpoint: '/noop',
          output_encoding: 'no-op',
          input_headers: ['*'],
          backend: [{ host, url_pattern: '/echo', encoding: 'no-op' }],
        },
      ],
    }),
    { logger },
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

/** Random requests, the same on every run. */
function generator(seed: number) {
  const { next, pick } = seededRandom(seed)
  return () => {
    let path = pick(PATHS)
    const posts = path === '/schema' || path === '/lua'
    const method = next() < 0.8 ? (posts ? 'POST' : 'GET') : pick(['GET', 'POST', 'OPTIONS', 'PUT', 'HEAD'])
    if (next() < 0.5) {
      const pairs = Array.from({ length: 1 + Math.floor(next() * 3) }, () => {
        return `${encodeURIComponent(pick(NAMES))}=${encodeURIComponent(pick(VALUES))}`
      })
      path += `?${pairs.join('&')}`
    }
    const headers = Array.from({ length: Math.floor(next() * 5) }, () => `${pick(NAMES)}: ${pick(VALUES)}`)
    const body = method === 'POST' || method === 'PUT' ? pick(BODIES) : undefined
    const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...headers]
    if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`)
    return { text: rawRequest(lines) + (body ?? ''), label: `${lines.join(' | ')} | ${body ?? ''}` }
  }
}

const withinSeconds = <T>(promise: Promise<T>, seconds: number, label: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer in ${seconds} s: ${label}`)), seconds * 1000).unref(),
    ),
  ])

test('random client requests: every one answered, none with a 5xx or a recovered error, nothing shared changed', async () => {
  const before = sharedObjects()
  const statuses = new Map<number, number>()
  for (const seed of [1, 2, 3]) {
    const request = generator(seed)
    for (let i = 0; i < 500; i += 1) {
      const { text, label } = request()
      const { status } = await withinSeconds(sendRaw(gw.url, text), 5, label)
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
      assert.ok(status > 0 && status < 500, `seed ${seed} request ${i}: ${status} for ${label}`)
    }
  }
  gw.gateway.logger.flush()
  assert.deepEqual(
    lines.filter((line) => line.includes('panic recovered')),
    [],
  )
  assert.equal(gw.gateway.inFlight, 0)
  assert.equal(changedShared(before), undefined)
  // The generator must reach the endpoints, not only the router's refusals.
  assert.ok((statuses.get(200) ?? 0) > 700, JSON.stringify([...statuses]))
})
