/**
 * qos/http-cache against the behaviour of KrakenD's cache (krakend/httpcache v1.1.1 with
 * krakend-httpcache v2.2.0 and krakend/lru). Each row's expectation (calls to the backend,
 * validators sent, headers, dump sizes) was taken from the real Go cache driven by a Go client
 * against a Go backend; the Date and Content-Type headers below are the ones Go's server wrote.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  createHttpCaches,
  type Headers,
  type HttpCacheConfig,
  parseHttpCache,
} from '../../../src/gateway/components/http-cache.ts'
import {
  dumpAndReadBack,
  freshness,
  goAnswer,
  goParseHttpDate,
} from '../../../src/gateway/components/http-cache-policy.ts'
import { HttpCache, LruStore } from '../../../src/gateway/components/http-cache-store.ts'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { goParseDuration as goParseDurationText } from '../../../src/gateway/go-time.ts'

const goParseDuration = (text: string) => {
  const ns = goParseDurationText(text)
  return typeof ns === 'string' ? undefined : ns
}

const NOW = Date.UTC(2026, 11, 2, 7, 6, 44)
const date = (offsetS = 0) => new Date(NOW + offsetS * 1000).toUTCString()
const TEXT = 'text/plain; charset=utf-8'
const URL_A = 'http://127.0.0.1:8080/a'

interface Reply {
  status?: number
  headers?: Headers
  body?: string
  /** Send the body chunked (no Content-Length). */
  chunked?: boolean
}
type Backend = (sent: Record<string, string>) => Reply | 'error'

/** A scripted backend: the replies in turn (the last one repeats), and what each call sent. */
function backend(...replies: Reply[]) {
  const calls: Array<Record<string, string>> = []
  const fn: Backend = (sent) => {
    calls.push(sent)
    return replies[Math.min(calls.length - 1, replies.length - 1)] as Reply
  }
  return { fn, calls }
}

interface Outcome {
  status: number
  headers: Headers
  body: string
  fromCache: boolean
}

/** One Go client round trip through the cache: lookup, maybe the call, then the body read (or not). */
function trip(
  cache: HttpCache,
  call: Backend,
  req: { method?: string; url?: string; headers?: Record<string, string>; read?: boolean; now?: number } = {},
): Outcome | 'error' {
  const method = req.method ?? 'GET'
  const headers = req.headers ?? {}
  const now = req.now ?? NOW
  const step = cache.begin({ method, url: req.url ?? URL_A, header: (n) => headers[n] ?? '' }, now)
  const read = req.read !== false
  if (step.kind === 'answer') {
    if (read) step.commit?.(step.answer.body)
    return { ...step.answer, body: step.answer.body.toString(), fromCache: true }
  }
  const reply = call({ ...headers, ...step.conditional })
  if (reply === 'error') {
    const settled = step.settle(undefined, now)
    if (settled.kind !== 'answer') return 'error'
    return { ...settled.answer, body: settled.answer.body.toString(), fromCache: true }
  }
  const status = reply.status ?? 200
  const body = Buffer.from(method === 'HEAD' ? '' : (reply.body ?? ''))
  const wire: Headers = { date: date(), ...reply.headers }
  if (reply.chunked) wire['transfer-encoding'] = 'chunked'
  else if (status !== 204 && status !== 304)
    wire['content-length'] = String(Buffer.byteLength(reply.body ?? ''))
  const settled = step.settle(goAnswer(status, reason(status), wire, method), now)
  if (settled.kind === 'failed') return 'error'
  if (settled.kind === 'answer') {
    if (read) settled.commit?.(settled.answer.body)
    return { ...settled.answer, body: settled.answer.body.toString(), fromCache: true }
  }
  for (const name of settled.drop) delete wire[name]
  Object.assign(wire, settled.set)
  if (read) settled.commit?.(body)
  return { status, headers: wire, body: body.toString(), fromCache: false }
}

const reason = (status: number) =>
  ({
    200: 'OK',
    204: 'No Content',
    301: 'Moved Permanently',
    304: 'Not Modified',
    404: 'Not Found',
    503: 'Service Unavailable',
  })[status] ?? ''

const memory = () => createHttpCaches()({ shared: false, maxSize: 0, maxItems: 0 })
const ok = (o: Outcome | 'error'): Outcome => {
  assert.notEqual(o, 'error')
  return o as Outcome
}

describe('qos/http-cache: what is served from the cache (Go rows)', () => {
  test('max-age with Date: the second request is answered without a call', () => {
    const cache = memory()
    const b = backend({
      body: '{"a":1}',
      headers: { 'cache-control': 'max-age=60', 'content-type': 'application/json' },
    })
    ok(trip(cache, b.fn))
    const second = ok(trip(cache, b.fn, { now: NOW + 59_000 }))
    assert.equal(b.calls.length, 1)
    assert.equal(second.fromCache, true)
    assert.equal(second.body, '{"a":1}')
    assert.equal(second.headers['content-length'], '7')
    assert.equal(second.headers['x-from-cache'], undefined, 'krakend-httpcache does not mark cached answers')
    ok(trip(cache, b.fn, { now: NOW + 60_000 }))
    assert.equal(b.calls.length, 2, 'at max-age the answer is stale')
  })

  test('no freshness information: every request calls, with no validators', () => {
    const cache = memory()
    const b = backend({ body: 'b', headers: { 'content-type': TEXT } })
    trip(cache, b.fn)
    trip(cache, b.fn)
    assert.equal(b.calls.length, 2)
    assert.deepEqual(b.calls[1], {})
  })

  test('ETag: a stale answer is revalidated and a 304 merges its headers into the cached answer', () => {
    const cache = memory()
    const b = backend(
      { body: 'body-c', headers: { 'content-type': TEXT, etag: '"v1"', 'x-gen': '1', 'x-only-first': '1' } },
      { status: 304, headers: { etag: '"v1"', 'x-gen': '2', 'cache-control': 'max-age=60' } },
    )
    trip(cache, b.fn)
    const second = ok(trip(cache, b.fn))
    assert.equal(b.calls[1]?.['if-none-match'], '"v1"')
    assert.equal(second.status, 200)
    assert.equal(second.body, 'body-c')
    assert.equal(second.headers['x-gen'], '2')
    assert.equal(second.headers['x-only-first'], '1')
    assert.equal(second.headers['cache-control'], 'max-age=60')
    const third = ok(trip(cache, b.fn))
    assert.equal(b.calls.length, 2, 'the merged max-age makes it fresh')
    assert.equal(third.headers['x-gen'], '2')
  })

  test('Last-Modified: revalidated with If-Modified-Since', () => {
    const cache = memory()
    const lm = 'Mon, 02 Jan 2006 15:04:05 GMT'
    const b = backend({ body: 'body-d', headers: { 'last-modified': lm } }, { status: 304, headers: {} })
    trip(cache, b.fn)
    const second = ok(trip(cache, b.fn))
    assert.equal(b.calls[1]?.['if-modified-since'], lm)
    assert.equal(second.body, 'body-d')
  })

  test('max-age=0 and a response no-cache are always stale; a request no-cache skips the validators', () => {
    const zero = memory()
    const b0 = backend({ body: 'e', headers: { 'cache-control': 'max-age=0', etag: 'x' } })
    trip(zero, b0.fn)
    trip(zero, b0.fn)
    assert.equal(b0.calls.length, 2)
    assert.equal(b0.calls[1]?.['if-none-match'], 'x')

    const noCache = memory()
    const b1 = backend({ body: 'f', headers: { 'cache-control': 'no-cache, max-age=60' } })
    trip(noCache, b1.fn)
    trip(noCache, b1.fn)
    assert.equal(b1.calls.length, 2)

    const asked = memory()
    const b2 = backend({ body: 'g', headers: { 'cache-control': 'max-age=60', etag: 'x' } })
    trip(asked, b2.fn)
    trip(asked, b2.fn, { headers: { 'cache-control': 'no-cache' } })
    assert.deepEqual(b2.calls[1], { 'cache-control': 'no-cache' })
    assert.equal(ok(trip(asked, b2.fn)).fromCache, true)
    assert.equal(b2.calls.length, 2)
  })

  test('Expires counts only against Date: without Date the answer is stale', () => {
    const noDate = memory()
    const b = backend({ body: 'h', headers: { date: undefined, expires: date(3600) } })
    trip(noDate, b.fn)
    trip(noDate, b.fn)
    assert.equal(b.calls.length, 2)

    const withDate = memory()
    const b2 = backend({ body: 'i', headers: { expires: date(3600) } })
    trip(withDate, b2.fn)
    assert.equal(ok(trip(withDate, b2.fn)).fromCache, true)
    assert.equal(b2.calls.length, 1)
  })

  test('Vary: one entry per URL, replaced by each other variant, X-Varied-* on the answers', () => {
    const cache = memory()
    const calls: string[] = []
    const fn: Backend = (sent) => {
      calls.push(sent.accept ?? '')
      return {
        body: `j:${sent.accept ?? ''}`,
        headers: { vary: 'Accept, X-Client', 'cache-control': 'max-age=60' },
      }
    }
    const get = (accept?: string) => ok(trip(cache, fn, { headers: accept ? { accept } : {} }))
    const first = get('a')
    assert.equal(first.headers['x-varied-accept'], 'a', 'the live answer carries it too')
    assert.equal(first.headers['x-varied-x-client'], undefined)
    assert.equal(get('a').fromCache, true)
    assert.equal(get('b').body, 'j:b')
    assert.equal(get('b').fromCache, true)
    assert.equal(get('a').fromCache, false)
    assert.equal(get().headers['x-varied-accept'], undefined)
    assert.equal(get('b').fromCache, false)
    assert.deepEqual(calls, ['a', 'b', 'a', '', 'b'])
  })

  test('no-store (answer or request) stores nothing', () => {
    const cache = memory()
    const b = backend({ body: 'k', headers: { 'cache-control': 'no-store, max-age=60' } })
    trip(cache, b.fn)
    trip(cache, b.fn)
    assert.equal(b.calls.length, 2)

    const asked = memory()
    const b2 = backend({ body: 'l', headers: { 'cache-control': 'max-age=60' } })
    trip(asked, b2.fn, { headers: { 'cache-control': 'no-store' } })
    trip(asked, b2.fn)
    assert.equal(ok(trip(asked, b2.fn)).fromCache, true)
    assert.equal(b2.calls.length, 2)
  })

  test('POST neither uses nor invalidates the GET entry; HEAD has an entry of its own', () => {
    const cache = memory()
    const b = backend({ body: 'm', headers: { 'cache-control': 'max-age=60', 'content-type': TEXT } })
    trip(cache, b.fn)
    trip(cache, b.fn, { method: 'POST' })
    const head = ok(trip(cache, b.fn, { method: 'HEAD' }))
    assert.equal(head.fromCache, false)
    const head2 = ok(trip(cache, b.fn, { method: 'HEAD' }))
    assert.equal(head2.fromCache, true)
    assert.equal(head2.headers['content-length'], '1')
    assert.equal(head2.body, '')
    assert.equal(ok(trip(cache, b.fn)).fromCache, true)
    assert.equal(b.calls.length, 3)
  })

  test('a Range request is not cached and drops the GET entry', () => {
    const cache = memory()
    const b = backend({ body: 'ri', headers: { 'cache-control': 'max-age=60' } })
    trip(cache, b.fn)
    trip(cache, b.fn, { headers: { range: 'bytes=0-0' } })
    assert.equal(ok(trip(cache, b.fn)).fromCache, false)
    assert.equal(b.calls.length, 3)
  })

  test('any status is stored once its body is read; an unread body stores nothing', () => {
    const cache = memory()
    const b = backend({ status: 404, body: 'nf', headers: { 'cache-control': 'max-age=60' } })
    trip(cache, b.fn)
    const again = ok(trip(cache, b.fn))
    assert.equal(again.status, 404)
    assert.equal(again.fromCache, true)

    const unread = memory()
    const b2 = backend({ status: 404, body: 'nf', headers: { 'cache-control': 'max-age=60' } })
    trip(unread, b2.fn, { read: false })
    assert.equal(ok(trip(unread, b2.fn)).fromCache, false)
  })

  test('a non-200 answer drops the entry even when it is not stored', () => {
    const cache = memory()
    const b = backend(
      { body: 'nd', headers: { etag: 'e1' } },
      { status: 404, body: 'gone', headers: { etag: 'e1' } },
      { body: 'nd' },
    )
    trip(cache, b.fn)
    trip(cache, b.fn, { read: false })
    trip(cache, b.fn)
    assert.equal(b.calls[1]?.['if-none-match'], 'e1')
    assert.equal(b.calls[2]?.['if-none-match'], undefined)
  })

  test('only-if-cached without an entry: a 504 without calling, and that 504 is stored', () => {
    const cache = memory()
    const b = backend({ body: 'q', headers: { 'cache-control': 'max-age=60' } })
    const first = ok(trip(cache, b.fn, { headers: { 'cache-control': 'only-if-cached' } }))
    assert.equal(first.status, 504)
    assert.deepEqual(first.headers, {})
    assert.equal(ok(trip(cache, b.fn, { headers: { 'cache-control': 'only-if-cached' } })).status, 504)
    assert.equal(b.calls.length, 0)
    assert.equal(ok(trip(cache, b.fn)).status, 200, 'the stored 504 has no Date: stale')
    assert.equal(b.calls.length, 1)
  })

  test('request max-age, min-fresh and max-stale', () => {
    const cache = memory()
    const b = backend({ body: 'r', headers: { 'cache-control': 'max-age=60' } })
    trip(cache, b.fn)
    trip(cache, b.fn, { headers: { 'cache-control': 'max-age=0' } })
    assert.equal(b.calls.length, 2)
    assert.equal(ok(trip(cache, b.fn, { headers: { 'cache-control': 'max-age=1000' } })).fromCache, true)
    assert.equal(ok(trip(cache, b.fn, { headers: { 'cache-control': 'min-fresh=61' } })).fromCache, false)

    const stale = memory()
    const b2 = backend({ body: 's', headers: { 'cache-control': 'max-age=0' } })
    trip(stale, b2.fn)
    assert.equal(ok(trip(stale, b2.fn, { headers: { 'cache-control': 'max-stale' } })).fromCache, true)
    assert.equal(ok(trip(stale, b2.fn, { headers: { 'cache-control': 'max-stale=100' } })).fromCache, true)
    assert.equal(b2.calls.length, 1)
  })

  test('stale-if-error: a 5xx or a failed call gives the cached answer', () => {
    const cache = memory()
    const b = backend(
      { body: 't', headers: { 'cache-control': 'max-age=0, stale-if-error=100' } },
      { status: 503, body: 'down' },
    )
    trip(cache, b.fn)
    const second = ok(trip(cache, b.fn))
    assert.equal(second.status, 200)
    assert.equal(second.body, 't')
    assert.equal(ok(trip(cache, () => 'error')).body, 't')
    assert.equal(
      trip(cache, () => 'error', { now: NOW + 100_000 }),
      'error',
      'past stale-if-error the error stands',
    )

    const plain = memory()
    const b2 = backend({ body: 'p' }, { status: 503, body: 'down' })
    trip(plain, b2.fn)
    assert.equal(ok(trip(plain, b2.fn)).status, 503)
  })

  test('an explicitly asked gzip keeps its bytes but loses Content-Encoding', () => {
    const cache = memory()
    const b = backend({ body: 'zz', headers: { 'cache-control': 'max-age=60', 'content-encoding': 'gzip' } })
    const live = ok(trip(cache, b.fn, { headers: { 'accept-encoding': 'gzip' } }))
    assert.equal(live.headers['content-encoding'], undefined)
    assert.equal(
      ok(trip(cache, b.fn, { headers: { 'accept-encoding': 'gzip' } })).headers['content-encoding'],
      undefined,
    )
  })

  test('cache-control parsing follows Go: odd max-age values', () => {
    const fresh = (cc: string | string[]) =>
      freshness({ date: date(), 'cache-control': cc }, () => '', NOW + 1000)
    assert.equal(fresh('max-age=1h5'), 'fresh', '"1h5s" is a Go duration')
    assert.equal(fresh('max-age=60s'), 'stale')
    assert.equal(fresh('Max-Age=60'), 'stale')
    assert.equal(fresh('max-age="60"'), 'stale')
    assert.equal(fresh('max-age=9999999999'), 'stale', 'overflows Go durations')
    assert.equal(fresh(['public, max-age=60', 'no-cache']), 'fresh', 'only the first line counts')
    assert.equal(fresh('max-age = 60'), 'stale')
    assert.equal(fresh('max-age=1.5'), 'fresh')
  })
})

describe('qos/http-cache: Go parsing helpers', () => {
  test('time.ParseDuration', () => {
    assert.equal(goParseDuration('5s'), 5_000_000_000n)
    assert.equal(goParseDuration('-5s'), -5_000_000_000n)
    assert.equal(goParseDuration('1h5s'), 3_605_000_000_000n)
    assert.equal(goParseDuration('.5s'), 500_000_000n)
    assert.equal(goParseDuration('s'), undefined)
    assert.equal(goParseDuration('5'), undefined)
    assert.equal(goParseDuration('1e3s'), undefined)
    assert.equal(goParseDuration('9223372036s'), 9_223_372_036_000_000_000n)
    assert.equal(goParseDuration('9223372037s'), undefined)
    // Units named like Object.prototype's members are unknown units (a backend's directive threw).
    assert.equal(goParseDuration('1toString1s'), undefined)
    assert.equal(goParseDuration('1constructor'), undefined)
  })

  test('time.Parse(time.RFC1123)', () => {
    const t = Date.UTC(2006, 0, 2, 15, 4, 5)
    assert.equal(goParseHttpDate('Mon, 02 Jan 2006 15:04:05 GMT'), t)
    assert.equal(goParseHttpDate('mon, 02 jan 2006 15:04:05 UTC'), t)
    assert.equal(
      goParseHttpDate('Fri, 02 Jan 2006 15:04:05 EST'),
      t,
      'unknown zones read as UTC, weekday unchecked',
    )
    assert.equal(goParseHttpDate('Mon,   02 Jan 2006 5:04:05 GMT'), t - 10 * 3600_000)
    assert.equal(goParseHttpDate('Mon, 02 Jan 2006 15:04:05 +0000'), t)
    assert.equal(goParseHttpDate('Mon, 02 Jan 2006 15:04:05.5 GMT'), t + 500)
    assert.equal(goParseHttpDate('Mon, 2 Jan 2006 15:04:05 GMT'), undefined)
    assert.equal(goParseHttpDate('Monday, 02-Jan-06 15:04:05 GMT'), undefined)
    assert.equal(goParseHttpDate('Mon, 31 Feb 2006 15:04:05 GMT'), undefined)
    assert.equal(goParseHttpDate('Mon, 02 Jan 2006 15:04:05 +0100'), undefined)
    assert.equal(goParseHttpDate('Mon, 02 Jan 2006 15:04:05'), undefined)
  })
})

describe('qos/http-cache: the stored dump (sizes from Go)', () => {
  const size = (status: number, headers: Headers, body: string, method = 'GET', gunzipped = false) =>
    dumpAndReadBack(goAnswer(status, reason(status), headers, method, gunzipped), Buffer.from(body), method)

  const d = 'Wed, 02 Dec 2026 07:06:44 GMT'
  test('Content-Length, chunked, gunzipped, empty, 204, close and HEAD answers', () => {
    const json = {
      'content-length': '7',
      'cache-control': 'max-age=60',
      'content-type': 'application/json',
      date: d,
    }
    assert.equal(size(200, json, '{"a":1}')?.size, 141)
    const chunked = {
      'transfer-encoding': 'chunked',
      'cache-control': 'max-age=60',
      'content-type': TEXT,
      date: d,
    }
    const c = size(200, chunked, 'part1part2')
    assert.equal(c?.size, 172)
    assert.equal(c?.readBack.headers['content-length'], undefined)
    const gz = size(
      200,
      { 'content-length': '34', 'content-encoding': 'gzip', 'cache-control': 'max-age=60', date: d },
      'hello gzip',
      'GET',
      true,
    )
    assert.equal(gz?.size, 93)
    assert.equal(gz?.readBack.close, true)
    assert.equal(gz?.readBack.headers['content-encoding'], undefined)
    const empty = size(200, { 'content-length': '0', 'cache-control': 'max-age=60', date: d }, '')
    assert.equal(empty?.size, 102)
    assert.equal(empty?.readBack.headers['content-length'], '0')
    assert.equal(size(204, { 'cache-control': 'max-age=60', date: d }, '')?.size, 91)
    const close = {
      connection: 'close',
      'content-length': '2',
      'cache-control': 'max-age=60',
      'content-type': TEXT,
      date: d,
    }
    assert.equal(size(200, close, 'zz')?.size, 164)
    const head = { 'content-length': '1', 'cache-control': 'max-age=60', 'content-type': TEXT, date: d }
    assert.equal(size(200, head, '', 'HEAD')?.size, 143)
    const vary = {
      'content-length': '3',
      'cache-control': 'max-age=60',
      'content-type': TEXT,
      date: d,
      vary: 'Accept, X-Client',
      'x-varied-accept': 'a',
    }
    assert.equal(size(200, vary, 'j:a')?.size, 190)
    const redirect = {
      'transfer-encoding': 'chunked',
      'cache-control': 'max-age=60',
      'content-type': TEXT,
      date: d,
      location: '/y2',
    }
    assert.equal(
      size(301, redirect, 'r'.repeat(2048))?.size,
      2242,
      "the 2 KB Go's client reads of a redirect",
    )
  })

  test('a body that does not match its Content-Length is not stored', () => {
    assert.equal(size(200, { 'content-length': '5' }, 'abc'), undefined)
  })

  test('the only-if-cached 504 is 51 bytes', () => {
    const cache = new HttpCache(new LruStore(52, 10))
    const step = cache.begin(
      { method: 'GET', url: URL_A, header: (n) => (n === 'cache-control' ? 'only-if-cached' : '') },
      NOW,
    )
    assert.equal(step.kind, 'answer')
    if (step.kind === 'answer') step.commit?.(Buffer.alloc(0))
    const again = cache.begin(
      { method: 'GET', url: URL_A, header: (n) => (n === 'cache-control' ? 'only-if-cached' : '') },
      NOW,
    )
    assert.equal(again.kind, 'answer', 'stored: 51 < 52')
    const small = new HttpCache(new LruStore(51, 10))
    const s = small.begin(
      { method: 'GET', url: URL_A, header: (n) => (n === 'cache-control' ? 'only-if-cached' : '') },
      NOW,
    )
    if (s.kind === 'answer') s.commit?.(Buffer.alloc(0))
    assert.equal(
      small.begin({ method: 'GET', url: URL_A, header: () => '' }, NOW).kind,
      'call',
      '51 >= 51: not stored',
    )
  })
})

describe('qos/http-cache: the LRU (krakend/lru)', () => {
  const answer = {
    status: 200,
    reason: 'OK',
    headers: {},
    contentLength: -1,
    chunked: false,
    close: true,
    uncompressed: false,
    body: Buffer.alloc(0),
  }

  test('eviction by size, least recently used first (Go: one 191-byte answer fits in 300)', () => {
    const cache = new HttpCache(new LruStore(300, 10))
    const reply = {
      body: 'x'.repeat(40),
      headers: {
        date: 'Mon, 02 Jan 2006 15:04:05 GMT',
        'cache-control': 'max-age=999999999',
        'content-type': TEXT,
      },
    }
    const calls: string[] = []
    const at = (path: string) => {
      const url = `http://127.0.0.1:8080${path}`
      const call = () => {
        calls.push(path)
        return reply
      }
      return ok(trip(cache, call, { url })).fromCache
    }
    assert.deepEqual(['/l1', '/l2', '/l1', '/l3', '/l1', '/l2'].map(at), [
      false,
      false,
      false,
      false,
      false,
      false,
    ])
    assert.deepEqual(calls.length, 6)
    assert.equal(at('/l2'), true)
  })

  test('eviction by items, a lookup counts as a use', () => {
    const lru = new LruStore(10_000, 2)
    lru.set('a', answer, 1)
    lru.set('b', answer, 1)
    lru.get('a')
    lru.set('c', answer, 1)
    assert.deepEqual(lru.keys(), ['a', 'c'])
  })

  test("Go's accounting: a replaced answer keeps its first size, an answer of max_size is refused", () => {
    // The same steps on github.com/krakend/lru: A true B true, after C: A false B true C true, D false, E true.
    const lru = new LruStore(400, 10)
    lru.set('A', answer, 150)
    lru.set('A', answer, 250)
    lru.set('B', answer, 200)
    assert.ok(lru.get('A') && lru.get('B'), 'both kept: the total still counts 150 for A')
    lru.set('C', answer, 60)
    assert.deepEqual([lru.get('A'), lru.get('B'), lru.get('C')].map(Boolean), [false, true, true])
    lru.set('D', answer, 400)
    assert.equal(lru.get('D'), undefined)
    lru.set('E', answer, 399)
    assert.ok(lru.get('E'))
    assert.deepEqual(lru.keys(), ['C', 'E'])
  })

  test('a total gone below zero (Go: wrapped) empties the cache instead of spinning', () => {
    const lru = new LruStore(1000, 10)
    lru.set('A', answer, 100)
    lru.set('A', answer, 150)
    lru.delete('A')
    assert.equal(lru.inUse, -50)
    lru.set('B', answer, 10)
    assert.deepEqual(lru.keys(), [])
    assert.equal(lru.inUse, 0)
  })
})

describe('qos/http-cache: configuration (json.Unmarshal into krakend-httpcache options)', () => {
  const parse = (raw: unknown) => {
    const warnings: string[] = []
    const errors: string[] = []
    const cfg = parseHttpCache(raw, ['endpoints', 0, 'backend', 0, 'extra_config', 'qos/http-cache'], {
      warn: (path, message) => warnings.push(`${path.join('.')}: ${message}`),
      error: (path, message) => errors.push(`${path.join('.')}: ${message}`),
    })
    assert.deepEqual(errors, [], 'KrakenD refuses nothing here')
    return { cfg, warnings }
  }
  const unbounded: HttpCacheConfig = { shared: false, maxSize: 0, maxItems: 0 }

  test('both sizes: a bounded LRU, no warning', () => {
    assert.deepEqual(parse({ shared: true, max_size: 1024, max_items: 10 }), {
      cfg: { shared: true, maxSize: 1024, maxItems: 10 },
      warnings: [],
    })
  })

  test('keys match case-insensitively, null is skipped, unknown keys ignored', () => {
    assert.deepEqual(parse({ Max_Size: 5, MAX_ITEMS: 2, shared: null, other: 'x' }).cfg, {
      shared: false,
      maxSize: 5,
      maxItems: 2,
    })
  })

  test('no sizes, or only one: unbounded, with a warning', () => {
    const { cfg, warnings } = parse({})
    assert.deepEqual(cfg, unbounded)
    assert.match(
      warnings[0] ?? '',
      /qos\/http-cache: this backend's cache keeps every cacheable answer in memory with no limit$/,
    )
    assert.match(parse({ max_size: 100 }).warnings[0] ?? '', /"max_size" alone is ignored/)
    assert.match(parse({ shared: true }).warnings[0] ?? '', /the cache shared by every "shared" backend/)
    assert.deepEqual(parse(null).cfg, unbounded)
  })

  test('a value of the wrong type: KrakenD falls back to its default unbounded cache (not shared)', () => {
    for (const bad of [
      { max_size: '10MB', max_items: 5, shared: true },
      { max_size: -1, max_items: 5 },
      { max_size: 1.5, max_items: 5 },
      // the largest uint64 written out is 2^64 as a float64: out of a uint64's range for Go
      { max_size: JSON.parse('18446744073709551615'), max_items: 5 },
      { shared: 'yes' },
    ]) {
      const { cfg, warnings } = parse(bad)
      assert.deepEqual(cfg, unbounded, JSON.stringify(bad))
      assert.equal(warnings.length, 1)
      assert.match(
        warnings[0] ?? '',
        /qos\/http-cache\.(max_size|shared): ".*" must be .* for KrakenD .*no limit/,
      )
    }
    assert.match(parse([1]).warnings[0] ?? '', /cannot read "qos\/http-cache" as an object/)
  })

  test('shared caches are one per process; the shared LRU takes the first sizes', () => {
    const cacheFor = createHttpCaches()
    const a = cacheFor({ shared: true, maxSize: 1000, maxItems: 1 })
    const b = cacheFor({ shared: true, maxSize: 5000, maxItems: 9 })
    assert.equal(a, b)
    assert.notEqual(cacheFor({ shared: true, maxSize: 0, maxItems: 0 }), a)
    assert.equal(
      cacheFor({ shared: true, maxSize: 0, maxItems: 0 }),
      cacheFor({ shared: true, maxSize: 7, maxItems: 0 }),
    )
    assert.notEqual(cacheFor(unbounded), cacheFor(unbounded))
  })
})

describe('qos/http-cache in the whole config', () => {
  const withCache = (workers: number | undefined) => ({
    version: 3,
    ...(workers === undefined ? {} : { extra_config: { 'gwdeploy/runtime': { workers } } }),
    endpoints: [
      {
        endpoint: '/a',
        backend: [
          {
            host: ['http://x'],
            url_pattern: '/copy',
            extra_config: { proxy: { shadow: true }, 'qos/http-cache': { max_size: 'big' } },
          },
          { host: ['http://x'], url_pattern: '/main' },
        ],
      },
    ],
  })
  const messages = (workers: number | undefined) =>
    validateGatewayConfig(withCache(workers)).warnings.map((w) => `${w.location?.path}: ${w.message}`)

  test('several workers keep one cache each: a warning unless workers is 1', () => {
    assert.ok(messages(undefined).some((m) => m.includes('keeps one cache per worker process')))
    assert.ok(messages(2).some((m) => m.includes('with 2 workers each holds its own copy')))
    assert.ok(!messages(1).some((m) => m.includes('per worker process')))
  })
  test("a shadow backend's problems are placed at its own index", () => {
    assert.ok(
      messages(1).some((m) => m.startsWith('endpoints[0].backend[0].extra_config.qos/http-cache')),
      messages(1).join('\n'),
    )
  })
})
