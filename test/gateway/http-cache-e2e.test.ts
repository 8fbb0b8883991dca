import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

// qos/http-cache through the whole gateway: a fresh answer is served without a backend call.
let backend: TestBackend
let gw: Running
const cache = { 'qos/http-cache': {} }
const hits = (path: string) => backend.seen.filter((r) => r.url.split('?')[0] === path).length

before(async () => {
  const fresh = { 'cache-control': 'max-age=60' }
  backend = await startBackend('api', {
    '/fresh': { body: { n: 1 }, headers: fresh, gzip: true },
    '/fresh-plain': { body: { n: 2 }, headers: fresh },
    '/pass': {
      raw: 'passed through',
      headers: { ...fresh, 'content-type': 'text/plain' },
    },
    '/missing': { status: 404, raw: 'nope', headers: fresh },
    '/missing-code': { status: 404, raw: 'nope', headers: fresh },
    '/moved': { status: 301, location: '/target', headers: fresh },
    '/target': { body: { target: true } },
    '/stale': { body: { n: 3 }, headers: { etag: '"e"' } },
    // Fresh by Expires, but Go's client reads `Pragma: no-cache` as `Cache-Control: no-cache` too.
    '/pragma': { body: { n: 4 }, headers: { pragma: 'no-cache', expires: 'Thu, 01 Jan 2099 00:00:00 GMT' } },
    '/headers': { raw: 'seen', headers: { 'content-type': 'text/plain' } },
  })
  const ep = (
    endpoint: string,
    url: string,
    extra: Record<string, unknown> = {},
    epExtra: Record<string, unknown> = {},
  ) => ({
    endpoint,
    ...epExtra,
    backend: [
      {
        host: [backend.origin],
        url_pattern: url,
        extra_config: cache,
        ...extra,
      },
    ],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { 'gwdeploy/runtime': { workers: 1 } },
      endpoints: [
        ep('/fresh', '/fresh'),
        {
          endpoint: '/uncached',
          backend: [{ host: [backend.origin], url_pattern: '/fresh-plain' }],
        },
        ep('/pass', '/pass', { encoding: 'no-op' }, { output_encoding: 'no-op' }),
        ep('/missing', '/missing'),
        ep('/missing-code', '/missing-code', {
          extra_config: {
            ...cache,
            'backend/http': { return_error_code: true },
          },
        }),
        ep('/moved', '/moved'),
        ep('/stale', '/stale'),
        ep('/pragma', '/pragma'),
        ep('/pragma-noop', '/pragma', { encoding: 'no-op' }, { output_encoding: 'no-op' }),
        {
          endpoint: '/forwarded',
          input_headers: ['Cache-Control', 'Pragma'],
          backend: [{ host: [backend.origin], url_pattern: '/headers', encoding: 'string' }],
        },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

describe('qos/http-cache end to end', () => {
  test('a fresh answer (gzip from the backend) is served from the cache', async () => {
    const a = await send(gw.url, { path: '/fresh' })
    const b = await send(gw.url, { path: '/fresh' })
    assert.equal(a.text, '{"n":1}')
    assert.equal(b.text, '{"n":1}')
    assert.equal(hits('/fresh'), 1)
  })

  test('a backend without the namespace is called every time', async () => {
    await send(gw.url, { path: '/uncached' })
    await send(gw.url, { path: '/uncached' })
    assert.equal(hits('/fresh-plain'), 2)
  })

  test('no-op passthrough: the cached answer is streamed with its headers', async () => {
    const a = await send(gw.url, { path: '/pass' })
    const b = await send(gw.url, { path: '/pass' })
    assert.equal(b.text, 'passed through')
    assert.equal(b.headers['content-length'], a.headers['content-length'])
    assert.equal(b.headers['cache-control'], 'max-age=60')
    assert.equal(hits('/pass'), 1)
  })

  test('an error body lura never reads is not stored; with return_error_code it is', async () => {
    await send(gw.url, { path: '/missing' })
    await send(gw.url, { path: '/missing' })
    assert.equal(hits('/missing'), 2)
    const a = await send(gw.url, { path: '/missing-code' })
    const b = await send(gw.url, { path: '/missing-code' })
    assert.equal(a.status, 404)
    assert.equal(b.text, a.text)
    assert.equal(b.status, 404)
    assert.equal(hits('/missing-code'), 1)
  })

  test('each redirect hop goes through the cache', async () => {
    await send(gw.url, { path: '/moved' })
    const b = await send(gw.url, { path: '/moved' })
    assert.equal(b.text, '{"target":true}')
    assert.equal(hits('/moved'), 1)
    assert.equal(hits('/target'), 2)
  })

  test('a stale answer with an ETag is revalidated', async () => {
    await send(gw.url, { path: '/stale' })
    await send(gw.url, { path: '/stale' })
    const second = backend.seen.filter((r) => r.url === '/stale')[1]
    assert.equal(second?.headers['if-none-match'], '"e"')
  })

  test("Pragma: no-cache without Cache-Control is Cache-Control: no-cache, as Go's server and client read it", async () => {
    await send(gw.url, { path: '/pragma' })
    await send(gw.url, { path: '/pragma' })
    assert.equal(hits('/pragma'), 2, 'no-cache: never fresh')
    const noop = await send(gw.url, { path: '/pragma-noop' })
    assert.equal(noop.headers['cache-control'], 'no-cache')
    assert.equal(noop.headers.pragma, 'no-cache')
    const forwarded = async (headers: Record<string, string>) => {
      await send(gw.url, { path: '/forwarded', headers })
      return backend.seen.filter((r) => r.url === '/headers').at(-1)?.headers['cache-control']
    }
    assert.equal(await forwarded({ Pragma: 'no-cache' }), 'no-cache')
    assert.equal(await forwarded({ Pragma: 'No-Cache' }), undefined, 'only the exact value')
    assert.equal(await forwarded({ Pragma: 'no-cache', 'Cache-Control': 'max-age=5' }), 'max-age=5')
  })
})
