// modifier/martian's answer side on the request URL (url.Filter, url.RegexFilter, querystring.Filter)
// and headers, as KrakenD CE 2.13.8 runs it: google/martian/v3's filters match res.Request, which
// Go's http.Client sets to the request of a redirect's last hop (its URL the Location resolved
// against the URL before it, net/http Client.do), else to the request as sent, after the
// request-side modifiers changed it.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'
import { MARTIAN_AT, martianErrors } from './martian-config.ts'

const R = ['request']
const S = ['response']
/** An answer header the answer side sets: `match` or `else`. */
const mark = (name: string) => ({
  modifier: { 'header.Modifier': { scope: S, name, value: 'match' } },
  else: { 'header.Modifier': { scope: S, name, value: 'else' } },
})
const urlFilter = (name: string, fields: Record<string, unknown>) => ({
  'url.Filter': { scope: S, ...fields, ...mark(name) },
})
const regexFilter = (name: string, regex: string) => ({
  'url.RegexFilter': { scope: S, regex, ...mark(name) },
})
const group = (...modifiers: unknown[]) => ({ 'modifier/martian': { 'fifo.Group': { modifiers } } })
/** body.Modifier's answer: this JSON. */
const answerBody = (value: unknown) => ({
  'body.Modifier': {
    scope: S,
    contentType: 'application/json',
    body: Buffer.from(JSON.stringify(value)).toString('base64'),
  },
})

let a: TestBackend
let b: TestBackend
let gw: Running
const hostOf = (t: TestBackend) => new URL(t.origin).host
const escaped = (text: string) => text.replaceAll('.', '\\.')

before(async () => {
  a = await startBackend('a')
  b = await startBackend('b', {
    '/hop': { status: 302, location: '/echo/last?z=1' },
    '/away': { status: 302, location: `${a.origin}/echo/away?k=v` },
    '/twice': { status: 301, location: '/hop' },
    '/keep': { status: 307, location: '/echo/kept' },
  })
  const noop = (endpoint: string, url_pattern: string, extra: unknown, host = [a.origin]) => ({
    endpoint,
    output_encoding: 'no-op',
    input_query_strings: ['q', 'a'],
    backend: [{ host, url_pattern, encoding: 'no-op', extra_config: extra }],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'martian-redirect',
      endpoints: [
        noop(
          '/sent',
          '/echo/s',
          group(
            urlFilter('X-Path', { path: '/echo/s' }),
            urlFilter('X-Query', { query: 'a=1' }),
            urlFilter('X-Host', { scheme: 'http', host: hostOf(a) }),
            urlFilter('X-Other-Host', { host: hostOf(b) }),
            regexFilter('X-Regex', `^http://${escaped(hostOf(a))}/echo/s\\?a=1$`),
            {
              'querystring.Filter': {
                scope: S,
                name: 'a',
                value: '1',
                modifier: { 'header.Modifier': { scope: S, name: 'X-Qs', value: 'match' } },
              },
            },
          ),
        ),
        noop(
          '/redirected',
          '/hop',
          group(
            urlFilter('X-First', { path: '/hop' }),
            urlFilter('X-Last', { path: '/echo/last', query: 'z=1' }),
            regexFilter('X-Regex', `^http://${escaped(hostOf(b))}/echo/last\\?z=1$`),
            {
              'header.RegexFilter': {
                scope: S,
                header: 'Referer',
                regex: `^http://${escaped(hostOf(b))}/hop$`,
                modifier: { 'header.Modifier': { scope: S, name: 'X-Referer', value: 'match' } },
              },
            },
          ),
          [b.origin],
        ),
        noop(
          '/elsewhere',
          '/away',
          group(
            urlFilter('X-First-Host', { host: hostOf(b) }),
            urlFilter('X-Last-Host', { scheme: 'http', host: hostOf(a), path: '/echo/away', query: 'k=v' }),
            regexFilter('X-Regex', `^http://${escaped(hostOf(a))}/echo/away\\?k=v$`),
          ),
          [b.origin],
        ),
        noop(
          '/fragment',
          '/echo/f#frag ment',
          group(regexFilter('X-Regex', `^http://${escaped(hostOf(a))}/echo/f#frag%20ment$`)),
        ),
        noop(
          '/fragment-hop',
          '/hop#frag',
          group(
            regexFilter('X-Regex', `^http://${escaped(hostOf(b))}/echo/last\\?z=1$`),
            regexFilter('X-Kept', '#frag$'),
          ),
          [b.origin],
        ),
        noop(
          '/two-hops',
          '/twice',
          group(urlFilter('X-Middle', { path: '/hop' }), urlFilter('X-Last', { path: '/echo/last' }), {
            'querystring.Filter': {
              scope: S,
              name: 'z',
              modifier: { 'header.Modifier': { scope: S, name: 'X-Qs', value: 'match' } },
            },
          }),
          [b.origin],
        ),
        {
          ...noop(
            '/kept',
            '/keep',
            group(urlFilter('X-First', { path: '/keep' }), urlFilter('X-Last', { path: '/echo/kept' })),
            [b.origin],
          ),
          method: 'POST',
        },
        noop(
          '/modified',
          '/echo/before',
          group(
            { 'url.Modifier': { scope: R, host: hostOf(b), path: '/echo/after', query: 'm=1' } },
            urlFilter('X-Before', { path: '/echo/before' }),
            urlFilter('X-After', { host: hostOf(b), path: '/echo/after', query: 'm=1' }),
            regexFilter('X-Regex', `^http://${escaped(hostOf(b))}/echo/after\\?m=1$`),
          ),
        ),
        {
          endpoint: '/rendered',
          backend: [
            {
              host: [b.origin],
              url_pattern: '/hop',
              extra_config: group({
                'url.Filter': {
                  scope: S,
                  path: '/echo/last',
                  modifier: answerBody({ hop: 'last' }),
                  else: answerBody({ hop: 'not the last' }),
                },
              }),
            },
          ],
        },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  await a?.close()
  await b?.close()
})

describe('modifier/martian answer side: the URL of the request that answered (Go res.Request)', () => {
  test('url.Filter matches the sent URL: path, query, scheme and host, each matching or not', async () => {
    const matched = await send(gw.url, { path: '/sent?a=1' })
    assert.equal(matched.status, 200)
    assert.equal(matched.headers['x-path'], 'match')
    assert.equal(matched.headers['x-query'], 'match')
    assert.equal(matched.headers['x-host'], 'match')
    assert.equal(matched.headers['x-other-host'], 'else')
    const other = await send(gw.url, { path: '/sent?a=2' })
    assert.equal(other.headers['x-path'], 'match')
    assert.equal(other.headers['x-query'], 'else')
  })

  test("url.RegexFilter matches the sent URL's text; querystring.Filter its query", async () => {
    const matched = await send(gw.url, { path: '/sent?a=1' })
    assert.equal(matched.headers['x-regex'], 'match')
    assert.equal(matched.headers['x-qs'], 'match')
    const other = await send(gw.url, { path: '/sent?a=1&q=2' })
    assert.equal(other.headers['x-regex'], 'else')
    assert.equal(other.headers['x-qs'], 'match')
  })

  test("after a redirect, the last hop's URL: the first hop's path no longer matches, the last one's does", async () => {
    const res = await send(gw.url, { path: '/redirected' })
    assert.equal(JSON.parse(res.text).url, '/echo/last?z=1')
    assert.equal(res.headers['x-first'], 'else')
    assert.equal(res.headers['x-last'], 'match')
    assert.equal(res.headers['x-regex'], 'match')
  })

  test("url.RegexFilter reads lura's URL fragment; a Location with a path of its own drops it (ResolveReference)", async () => {
    const sent = await send(gw.url, { path: '/fragment' })
    assert.equal(sent.headers['x-regex'], 'match')
    const hop = await send(gw.url, { path: '/fragment-hop' })
    assert.equal(hop.headers['x-regex'], 'match')
    assert.equal(hop.headers['x-kept'], 'else')
  })

  test("after a redirect, the last hop's headers: the Referer Go's client set", async () => {
    const res = await send(gw.url, { path: '/redirected' })
    assert.equal(res.headers['x-referer'], 'match')
  })

  test("a redirect to another host: the Location's scheme, host, path and query", async () => {
    const res = await send(gw.url, { path: '/elsewhere' })
    assert.equal(JSON.parse(res.text).backend, 'a')
    assert.equal(res.headers['x-first-host'], 'else')
    assert.equal(res.headers['x-last-host'], 'match')
    assert.equal(res.headers['x-regex'], 'match')
  })

  test('two redirects: the last Location resolved against the one before', async () => {
    const res = await send(gw.url, { path: '/two-hops' })
    assert.equal(res.headers['x-middle'], 'else')
    assert.equal(res.headers['x-last'], 'match')
    assert.equal(res.headers['x-qs'], 'match')
  })

  test('a 307 Go does not follow (a body it cannot send again): the request as sent', async () => {
    const res = await send(gw.url, { method: 'POST', path: '/kept', body: 'x' })
    assert.equal(res.status, 307)
    assert.equal(res.headers['x-first'], 'match')
    assert.equal(res.headers['x-last'], 'else')
  })

  test("a request-side url.Modifier: the answer side sees the URL it made, not lura's", async () => {
    const res = await send(gw.url, { path: '/modified' })
    const sent = JSON.parse(res.text)
    assert.equal(sent.backend, 'b')
    assert.equal(sent.url, '/echo/after?m=1')
    assert.equal(res.headers['x-before'], 'else')
    assert.equal(res.headers['x-after'], 'match')
    assert.equal(res.headers['x-regex'], 'match')
  })

  test("a rendering endpoint: the answer side before lura decodes it sees the last hop's URL", async () => {
    const res = await send(gw.url, { path: '/rendered' })
    assert.equal(res.status, 200)
    assert.deepEqual(JSON.parse(res.text), { hop: 'last' })
  })
})

describe('modifier/martian answer side: url filters are accepted', () => {
  test('url.Filter and url.RegexFilter with an answer side', () => {
    assert.deepEqual(
      martianErrors({
        'url.Filter': {
          scope: ['request', 'response'],
          path: '/x',
          modifier: { 'header.Modifier': { scope: ['request', 'response'], name: 'X-A', value: '1' } },
        },
      }),
      [],
    )
    assert.deepEqual(martianErrors(regexFilter('X-A', '^http://')), [])
    assert.equal(
      martianErrors(regexFilter('X-A', '('))[0]?.location?.path,
      `${MARTIAN_AT}.url.RegexFilter.regex`,
    )
  })
})
