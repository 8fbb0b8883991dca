// modifier/martian's url.Modifier, url.Filter, status.Modifier, priority.Group and cookie.Filter,
// as google/martian (the commit KrakenD CE 2.13.8 builds) runs them around a backend call.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { send, sendH2 } from '../helpers.ts'
import { MARTIAN_AT, martianErrors } from './martian-config.ts'

const R = ['request']
const S = ['response']
const RS = ['request', 'response']
const set = (scope: string[], name: string, value: string) => ({ 'header.Modifier': { scope, name, value } })
const add = (scope: string[], name: string, value: string) => ({ 'header.Append': { scope, name, value } })
const martian = (modifier: unknown) => ({ 'modifier/martian': modifier })

const gw = gatewayWith(
  (backend) => {
    const host = [backend.origin]
    return {
      version: 3,
      name: 'martian-url',
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        {
          endpoint: '/path',
          input_query_strings: ['a'],
          backend: [
            {
              host,
              url_pattern: '/echo/orig?k=v',
              extra_config: martian({
                'url.Modifier': { scope: R, path: '/echo/new path/café', query: 'x=1&y=%20z' },
              }),
            },
          ],
        },
        {
          endpoint: '/raw',
          input_query_strings: ['a'],
          backend: [
            {
              host,
              url_pattern: '/echo/a%41b',
              extra_config: martian({
                'fifo.Group': {
                  scope: R,
                  modifiers: [
                    { 'url.Modifier': { scope: R, path: '/echo/aAb' } },
                    { 'url.Modifier': { scope: R, path: '', query: '' } },
                    { 'querystring.Modifier': { scope: R, name: 'q', value: '1' } },
                  ],
                },
              }),
            },
          ],
        },
        {
          endpoint: '/filter',
          output_encoding: 'no-op',
          input_query_strings: ['a', 'b'],
          backend: [
            {
              host,
              url_pattern: '/echo/f',
              encoding: 'no-op',
              extra_config: martian({
                'fifo.Group': {
                  modifiers: [
                    {
                      'url.Filter': {
                        scope: R,
                        path: '/echo/f',
                        modifier: set(R, 'X-Path', 'match'),
                        else: set(R, 'X-Path', 'else'),
                      },
                    },
                    {
                      // Both scopes, but nothing on the answer side: accepted.
                      'url.Filter': {
                        scope: RS,
                        query: 'a=1',
                        modifier: set(R, 'X-Query', 'match'),
                        else: set(R, 'X-Query', 'else'),
                      },
                    },
                    {
                      'url.Filter': {
                        scope: R,
                        path: '/echo/f',
                        query: 'a=1&b=2',
                        modifier: set(R, 'X-Both', 'match'),
                      },
                    },
                  ],
                },
              }),
            },
          ],
        },
        {
          endpoint: '/moved',
          backend: [
            {
              host,
              url_pattern: '/echo/before',
              extra_config: martian({
                'fifo.Group': {
                  scope: R,
                  modifiers: [
                    { 'url.Modifier': { scope: R, path: '/echo/after' } },
                    { 'url.Filter': { scope: R, path: '/echo/after', modifier: set(R, 'X-Moved', 'yes') } },
                  ],
                },
              }),
            },
          ],
        },
        {
          endpoint: '/status-noop',
          output_encoding: 'no-op',
          backend: [
            {
              host,
              url_pattern: '/echo/status',
              encoding: 'no-op',
              extra_config: martian({ 'status.Modifier': { scope: S, statusCode: 404 } }),
            },
          ],
        },
        {
          endpoint: '/status-error',
          backend: [
            {
              host,
              url_pattern: '/echo/status',
              extra_config: martian({ 'status.Modifier': { scope: S, statusCode: 404 } }),
            },
          ],
        },
        {
          endpoint: '/status-ok',
          backend: [
            {
              host,
              url_pattern: '/fail',
              extra_config: martian({ 'status.Modifier': { scope: S, statusCode: 200 } }),
            },
          ],
        },
        {
          endpoint: '/status-code',
          backend: [
            {
              host,
              url_pattern: '/echo/status',
              extra_config: {
                'backend/http': { return_error_code: true },
                ...martian({ 'status.Modifier': { scope: S, statusCode: 418 } }),
              },
            },
          ],
        },
        {
          endpoint: '/status-304-noop',
          output_encoding: 'no-op',
          backend: [
            {
              host,
              url_pattern: '/echo/status',
              encoding: 'no-op',
              extra_config: martian({ 'status.Modifier': { scope: S, statusCode: 304 } }),
            },
          ],
        },
        {
          endpoint: '/status-304-code',
          backend: [
            {
              host,
              url_pattern: '/echo/status',
              extra_config: {
                'backend/http': { return_error_code: true },
                ...martian({ 'status.Modifier': { scope: S, statusCode: 304 } }),
              },
            },
          ],
        },
        {
          endpoint: '/priority',
          output_encoding: 'no-op',
          backend: [
            {
              host,
              url_pattern: '/echo/p',
              encoding: 'no-op',
              extra_config: martian({
                'priority.Group': {
                  modifiers: [
                    { priority: 1, modifier: add(RS, 'X-P', 'p1') },
                    { priority: 10, modifier: add(RS, 'X-P', 'p10a') },
                    { modifier: add(RS, 'X-P', 'p0') },
                    { priority: 10, modifier: add(R, 'X-P', 'p10b') },
                    {
                      priority: 5,
                      modifier: {
                        'fifo.Group': { modifiers: [add(RS, 'X-P', 'p5a'), add(S, 'X-P', 'p5b')] },
                      },
                    },
                    { priority: -3, modifier: { 'header.Copy': { scope: RS, from: 'X-P', to: 'X-First' } } },
                  ],
                },
              }),
            },
          ],
        },
        {
          endpoint: '/cookie',
          input_headers: ['Cookie'],
          backend: [
            {
              host,
              url_pattern: '/echo/c',
              extra_config: martian({
                'fifo.Group': {
                  scope: R,
                  modifiers: [
                    {
                      'cookie.Filter': {
                        scope: R,
                        name: 'session',
                        modifier: set(R, 'X-Session', 'any'),
                        else: set(R, 'X-Session', 'none'),
                      },
                    },
                    {
                      'cookie.Filter': {
                        scope: R,
                        name: 'session',
                        value: 'abc',
                        modifier: set(R, 'X-Abc', 'yes'),
                      },
                    },
                    { 'cookie.Modifier': { scope: R, name: 'added', value: '1' } },
                    {
                      'cookie.Filter': {
                        scope: R,
                        name: 'added',
                        value: '1',
                        modifier: set(R, 'X-Added', 'seen'),
                      },
                    },
                  ],
                },
              }),
            },
          ],
        },
        {
          endpoint: '/cookie-answer',
          output_encoding: 'no-op',
          backend: [
            {
              host,
              url_pattern: '/cookies',
              encoding: 'no-op',
              extra_config: martian({
                'fifo.Group': {
                  scope: S,
                  modifiers: [
                    {
                      'cookie.Filter': {
                        scope: S,
                        name: 'b',
                        value: '2',
                        modifier: set(S, 'X-B', 'yes'),
                        else: set(S, 'X-B', 'no'),
                      },
                    },
                    {
                      'cookie.Filter': {
                        scope: S,
                        name: 'b',
                        value: '2; Path=/',
                        modifier: set(S, 'X-Whole', 'yes'),
                        else: set(S, 'X-Whole', 'no'),
                      },
                    },
                  ],
                },
              }),
            },
          ],
        },
      ],
    }
  },
  {
    backends: {
      api: {
        '/fail': { status: 500, body: { failed: true } },
        '/cookies': {
          raw: '{}',
          headers: { 'content-type': 'application/json', 'set-cookie': 'b=2; Path=/' },
        },
      },
    },
  },
)

type Echo = { url: string; headers: Record<string, string | undefined> }
const echo = (text: string) => JSON.parse(text) as Echo

describe('modifier/martian url.Modifier and url.Filter', () => {
  test('url.Modifier replaces the path (escaped as Go writes it) and the query; the Host stays the backend', async () => {
    const res = await send(gw.url, { path: '/path?a=1' })
    assert.equal(res.status, 200)
    const sent = echo(res.text)
    assert.equal(sent.url, '/echo/new%20path/caf%C3%A9?x=1&y=%20z')
    assert.equal(sent.headers.host, new URL(gw.backend.origin).host)
  })

  test("a path that still decodes to the original keeps lura's raw path; empty fields change nothing", async () => {
    const sent = echo((await send(gw.url, { path: '/raw?a=2' })).text)
    assert.equal(sent.url, '/echo/a%41b?a=2&q=1')
  })

  test("url.Filter matches the request's path and raw query, with its else", async () => {
    const both = await send(gw.url, { path: '/filter?a=1' })
    assert.equal(both.status, 200)
    const sent = echo(both.text)
    assert.equal(sent.headers['x-path'], 'match')
    assert.equal(sent.headers['x-query'], 'match')
    assert.equal(sent.headers['x-both'], undefined)
    assert.equal(both.headers['x-path'], undefined, 'request scope only')
    // lura forwards a=1&b=2 (sorted, c dropped): the raw query is no longer "a=1", and the filter
    // on the whole query matches.
    const other = echo((await send(gw.url, { path: '/filter?b=2&a=1&c=3' })).text)
    assert.equal(other.headers['x-query'], 'else', 'the raw query, not its parameters')
    assert.equal(other.headers['x-both'], 'match')
    assert.equal(other.headers['x-path'], 'match')
  })

  test('a url.Filter after url.Modifier sees the new path', async () => {
    const sent = echo((await send(gw.url, { path: '/moved' })).text)
    assert.equal(sent.url, '/echo/after')
    assert.equal(sent.headers['x-moved'], 'yes')
  })
})

describe('modifier/martian status.Modifier', () => {
  test('a no-op endpoint passes the new status on with the backend body', async () => {
    const res = await send(gw.url, { path: '/status-noop' })
    assert.equal(res.status, 404)
    assert.equal(echo(res.text).url, '/echo/status')
  })

  test("lura checks the new status: not 200/201 fails the call, 200 decodes a backend's 500", async () => {
    const failed = await send(gw.url, { path: '/status-error' })
    assert.equal(failed.status, 500)
    assert.match(
      failed.text,
      /^invalid status code 404 \[GET \/echo\/status\]: http:\/\/127\.0\.0\.1:\d+\/echo\/status$/,
    )
    const ok = await send(gw.url, { path: '/status-ok' })
    assert.equal(ok.status, 200)
    assert.deepEqual(JSON.parse(ok.text), { failed: true })
  })

  test('return_error_code answers with the status the modifier set', async () => {
    const res = await send(gw.url, { path: '/status-code' })
    assert.equal(res.status, 418)
    assert.equal(echo(res.text).url, '/echo/status')
  })

  test("304: no body, and over HTTP/1.1 no Content-Type or length (Go's server deletes them; its HTTP/2 server keeps the type)", async () => {
    for (const path of ['/status-304-noop', '/status-304-code']) {
      const res = await send(gw.url, { path })
      assert.equal(res.status, 304, path)
      assert.equal(res.text, '', path)
      assert.equal(res.headers['content-type'], undefined, path)
      assert.equal(res.headers['content-length'], undefined, path)
    }
    const h2 = await sendH2(gw.url, { path: '/status-304-noop' })
    assert.equal(h2.status, 304)
    assert.equal(h2.text, '')
    assert.equal(h2.headers['content-type'], 'application/json')
  })
})

describe('modifier/martian priority.Group', () => {
  test('the higher priority runs first, and among equals the later one, on each side', async () => {
    const res = await send(gw.url, { path: '/priority' })
    const sent = echo(res.text)
    assert.equal(sent.headers['x-p'], 'p10b, p10a, p5a, p1, p0')
    assert.equal(sent.headers['x-first'], 'p10b')
    assert.deepEqual(res.headers['x-p'], ['p10a', 'p5a', 'p5b', 'p1', 'p0'])
    assert.equal(res.headers['x-first'], 'p10a')
  })
})

describe('modifier/martian cookie.Filter', () => {
  test("the request's cookies as Go reads them: any value, an exact one, one a modifier added", async () => {
    const none = echo((await send(gw.url, { path: '/cookie' })).text)
    assert.equal(none.headers['x-session'], 'none')
    assert.equal(none.headers['x-added'], 'seen')
    assert.equal(none.headers.cookie, 'added=1')
    const quoted = echo(
      (await send(gw.url, { path: '/cookie', headers: { cookie: 'a=1; session="abc"' } })).text,
    )
    assert.equal(quoted.headers['x-session'], 'any')
    assert.equal(quoted.headers['x-abc'], 'yes', 'the quotes are not part of the value')
    const other = echo((await send(gw.url, { path: '/cookie', headers: { cookie: 'session = zz' } })).text)
    assert.equal(other.headers['x-session'], 'any')
    assert.equal(other.headers['x-abc'], undefined)
    const bad = echo((await send(gw.url, { path: '/cookie', headers: { cookie: 'session=a\\b' } })).text)
    assert.equal(bad.headers['x-session'], 'none', 'a value with a backslash is not a cookie')
    // net/http reads no cookie at all past 3000 (httpcookiemaxnum's default).
    const at = (n: number) =>
      send(gw.url, { path: '/cookie', headers: { cookie: `session=abc${'; x'.repeat(n - 1)}` } })
    assert.equal(echo((await at(3000)).text).headers['x-abc'], 'yes')
    const past = echo((await at(3001)).text)
    assert.equal(past.headers['x-session'], 'none')
    assert.equal(past.headers['x-abc'], undefined)
  })

  test("the answer side reads the answer's Set-Cookie name and value", async () => {
    const res = await send(gw.url, { path: '/cookie-answer' })
    assert.equal(res.headers['x-b'], 'yes')
    assert.equal(res.headers['x-whole'], 'no')
  })
})

const pathOf = (modifier: unknown) => martianErrors(modifier)[0]?.location?.path

describe('modifier/martian: the new modifiers refuse what KrakenD would not run as written', () => {
  test('url.Modifier: a relative path, a query Go would break, the response scope', () => {
    const url = (fields: Record<string, unknown>) => ({ 'url.Modifier': { scope: R, ...fields } })
    assert.equal(pathOf(url({ path: 'relative' })), `${MARTIAN_AT}.url.Modifier.path`)
    assert.equal(pathOf(url({ query: 'a=b c' })), `${MARTIAN_AT}.url.Modifier.query`)
    assert.equal(pathOf(url({ query: 1 })), `${MARTIAN_AT}.url.Modifier.query`)
    assert.equal(
      pathOf({ 'url.Modifier': { scope: RS, path: '/x' } }),
      `${MARTIAN_AT}.url.Modifier.scope`,
      'no response side',
    )
    assert.deepEqual(martianErrors(url({ path: '/x', query: 'a=1', scheme: null })), [])
  })

  test('unknown fields, and one field written in two cases, are refused at their path', () => {
    assert.equal(
      pathOf({ 'url.Filter': { scope: R, paht: '/x', modifier: set(R, 'X-A', '1') } }),
      `${MARTIAN_AT}.url.Filter.paht`,
    )
    assert.equal(
      pathOf({ 'status.Modifier': { scope: S, statusCode: 404, StatusCode: 500 } }),
      `${MARTIAN_AT}.status.Modifier.StatusCode`,
    )
    assert.equal(
      pathOf({ 'priority.Group': { modifiers: [{ priority: 1, modifier: set(R, 'X-A', '1'), weight: 2 }] } }),
      `${MARTIAN_AT}.priority.Group.modifiers[0].weight`,
    )
  })

  test('url.Filter: an answer side is accepted (martian-redirect.test.ts runs it); no modifier is refused', () => {
    assert.deepEqual(
      martianErrors({ 'url.Filter': { scope: RS, path: '/x', modifier: set(RS, 'X-A', '1') } }),
      [],
    )
    assert.deepEqual(
      martianErrors({
        'url.Filter': { scope: S, path: '/x', modifier: set(R, 'X-A', '1'), else: set(S, 'X-B', '1') },
      }),
      [],
    )
    assert.equal(pathOf({ 'url.Filter': { scope: R, path: '/x' } }), `${MARTIAN_AT}.url.Filter.modifier`)
  })

  test('status.Modifier: the request scope, codes outside 200-599 or not whole', () => {
    assert.equal(
      pathOf({ 'status.Modifier': { scope: RS, statusCode: 404 } }),
      `${MARTIAN_AT}.status.Modifier.scope`,
    )
    for (const statusCode of [undefined, 0, 101, 600, 404.5, '404'])
      assert.equal(
        pathOf({ 'status.Modifier': { scope: S, statusCode } }),
        `${MARTIAN_AT}.status.Modifier.statusCode`,
        String(statusCode),
      )
    assert.deepEqual(martianErrors({ 'status.Modifier': { scope: S, statusCode: 204 } }), [])
    assert.deepEqual(martianErrors({ 'status.Modifier': { scope: S, statusCode: 304 } }), [])
  })

  test('priority.Group: a priority that is not whole, an entry without its modifier', () => {
    assert.equal(
      pathOf({ 'priority.Group': { modifiers: [{ priority: 1.5, modifier: set(R, 'X-A', '1') }] } }),
      `${MARTIAN_AT}.priority.Group.modifiers[0].priority`,
    )
    assert.equal(
      pathOf({ 'priority.Group': { modifiers: [{ priority: 1 }] } }),
      `${MARTIAN_AT}.priority.Group.modifiers[0].modifier`,
    )
    assert.equal(
      pathOf({ 'priority.Group': { modifiers: ['x'] } }),
      `${MARTIAN_AT}.priority.Group.modifiers[0]`,
    )
  })

  test('cookie.Filter: a name that is not a string', () => {
    assert.equal(
      pathOf({ 'cookie.Filter': { scope: R, name: 1, modifier: set(R, 'X-A', '1') } }),
      `${MARTIAN_AT}.cookie.Filter.name`,
    )
  })
})
