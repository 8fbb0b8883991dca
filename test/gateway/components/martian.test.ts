import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'
import { MARTIAN_AT, martianErrors } from './martian-config.ts'

const gw = gatewayWith(
  (backend) => {
    const host = [backend.origin]
    /** body.Modifier on the answer: `{"msg":"static","n":1.50}`. */
    const staticAnswer = {
      'body.Modifier': {
        scope: ['response'],
        body: 'eyJtc2ciOiJzdGF0aWMiLCJuIjoxLjUwfQ==',
        contentType: 'application/json',
      },
    }
    const answerModifiers = {
      'fifo.Group': {
        modifiers: [
          { 'header.Modifier': { scope: ['request', 'response'], name: 'X-Martian', value: 'm' } },
          { 'header.Append': { scope: ['response'], name: 'X-Backend', value: 'again' } },
          { 'header.Copy': { scope: ['response'], from: 'X-Backend', to: 'X-Copy' } },
          { 'header.Blacklist': { scope: ['response'], names: ['X-Drop'] } },
          { 'header.Modifier': { scope: ['request'], name: 'X-Request-Only', value: 'r' } },
          // A group scoped to the request keeps only its modifiers' request side.
          {
            'fifo.Group': {
              scope: ['request'],
              modifiers: [{ 'header.Modifier': { scope: ['response'], name: 'X-Never', value: 'n' } }],
            },
          },
        ],
      },
    }
    return {
      version: 3,
      name: 'martian',
      endpoints: [
        {
          endpoint: '/m',
          input_headers: ['X-Trace', 'X-Secret'],
          input_query_strings: ['page', 'z'],
          backend: [
            {
              host,
              url_pattern: '/echo/m',
              extra_config: {
                'modifier/martian': {
                  'fifo.Group': {
                    scope: ['request'],
                    aggregateErrors: true,
                    modifiers: [
                      { 'header.Modifier': { scope: ['request'], name: 'X-Api-Key', value: 'k-123' } },
                      { 'header.Copy': { scope: ['request'], from: 'X-Trace', to: 'X-Request-Id' } },
                      { 'header.Append': { scope: ['request'], name: 'X-Trace', value: 'gw' } },
                      { 'header.Blacklist': { scope: ['request'], names: ['X-Secret'] } },
                      { 'querystring.Modifier': { scope: ['request'], name: 'limit', value: '10 items' } },
                    ],
                  },
                },
              },
            },
            { host, url_pattern: '/echo/plain', group: 'plain' },
          ],
        },
        {
          endpoint: '/answer',
          output_encoding: 'no-op',
          backend: [
            {
              host,
              url_pattern: '/answer',
              encoding: 'no-op',
              extra_config: { 'modifier/martian': answerModifiers },
            },
          ],
        },
        {
          endpoint: '/filtered',
          output_encoding: 'no-op',
          input_headers: ['X-Tenant', 'Cookie'],
          input_query_strings: ['legacy'],
          backend: [
            {
              host,
              url_pattern: '/echo/filtered',
              encoding: 'no-op',
              extra_config: {
                'modifier/martian': {
                  'fifo.Group': {
                    modifiers: [
                      {
                        'header.Filter': {
                          scope: ['request', 'response'],
                          name: 'X-Tenant',
                          value: 'acme',
                          modifier: {
                            'cookie.Modifier': {
                              scope: ['request', 'response'],
                              name: 'tenant',
                              value: 'acme co',
                            },
                          },
                          else: { 'header.Modifier': { scope: ['request'], name: 'X-Plan', value: 'free' } },
                        },
                      },
                      {
                        // The response side of a filter reads the answer's headers.
                        'header.Filter': {
                          scope: ['response'],
                          name: 'Content-Type',
                          value: 'application/json',
                          modifier: {
                            'cookie.Modifier': {
                              scope: ['response'],
                              name: 'seen',
                              value: 'yes',
                              path: '/a;b',
                              domain: '.example.com',
                              expires: '2030-01-02T15:04:05Z',
                              maxAge: 60,
                              httpOnly: true,
                            },
                          },
                        },
                      },
                      {
                        'querystring.Filter': {
                          scope: ['request'],
                          name: 'legacy',
                          modifier: { 'querystring.Modifier': { scope: ['request'], name: 'v', value: '1' } },
                        },
                      },
                    ],
                  },
                },
              },
            },
          ],
        },
        {
          endpoint: '/regex',
          output_encoding: 'no-op',
          input_headers: ['X-Client'],
          backend: [
            {
              host,
              url_pattern: '/echo/regex',
              encoding: 'no-op',
              extra_config: {
                'modifier/martian': {
                  'header.RegexFilter': {
                    scope: ['request', 'response'],
                    header: 'X-Client',
                    regex: '^mobile-(ios|android)$',
                    modifier: {
                      'fifo.Group': {
                        modifiers: [
                          {
                            'header.Modifier': {
                              scope: ['request', 'response'],
                              name: 'X-Mobile',
                              value: 'yes',
                            },
                          },
                          { 'querystring.Modifier': { scope: ['request'], name: 'm', value: '1' } },
                        ],
                      },
                    },
                  },
                },
              },
            },
          ],
        },
        {
          endpoint: '/body-request',
          method: 'POST',
          backend: [
            {
              host,
              url_pattern: '/echo/body',
              extra_config: {
                'modifier/martian': {
                  'body.Modifier': {
                    scope: ['request'],
                    body: 'eyJtc2ciOiJzdGF0aWMiLCJuIjoxLjUwfQ==',
                    contentType: 'text/x-static',
                  },
                },
              },
            },
          ],
        },
        {
          endpoint: '/body-answer',
          output_encoding: 'no-op',
          input_headers: ['Range'],
          backend: [
            {
              host,
              url_pattern: '/answer',
              encoding: 'no-op',
              extra_config: { 'modifier/martian': staticAnswer },
            },
          ],
        },
        {
          endpoint: '/body-breaker',
          output_encoding: 'no-op',
          input_headers: ['Range'],
          backend: [
            {
              host,
              url_pattern: '/answer',
              encoding: 'no-op',
              extra_config: {
                'modifier/martian': staticAnswer,
                'qos/circuit-breaker': { interval: 60, timeout: 60, max_errors: 0 },
              },
            },
          ],
        },
        {
          endpoint: '/body-rendered',
          backend: [
            {
              host,
              url_pattern: '/answer',
              extra_config: { 'modifier/martian': staticAnswer },
            },
          ],
        },
        {
          endpoint: '/details',
          backend: [
            {
              host,
              url_pattern: '/bad',
              extra_config: {
                'backend/http': { return_error_details: 'be' },
                'modifier/martian': {
                  'header.Modifier': {
                    scope: ['response'],
                    name: 'Content-Type',
                    value: 'application/problem+json',
                  },
                },
              },
            },
          ],
        },
      ],
    }
  },
  {
    backends: {
      api: {
        '/answer': { raw: 'hi', headers: { 'content-type': 'text/plain', 'x-backend': 'b', 'x-drop': 'd' } },
        '/bad': { status: 400, body: { error: 'no' } },
      },
    },
  },
)

describe('modifier/martian', () => {
  test('headers set, copied, appended and removed; the query set and re-encoded as Go does; other backends untouched', async () => {
    const res = await send(gw.url, {
      path: '/m?z=1&page=2&dropped=3',
      headers: { 'x-trace': 't1', 'x-secret': 's' },
    })
    assert.equal(res.status, 200)
    const body = JSON.parse(res.text) as {
      headers: Record<string, string>
      url: string
      plain: { headers: Record<string, string>; url: string }
    }
    assert.equal(body.headers['x-api-key'], 'k-123')
    assert.equal(body.headers['x-request-id'], 't1')
    assert.equal(body.headers['x-trace'], 't1, gw')
    assert.equal(body.headers['x-secret'], undefined)
    assert.equal(body.url, '/echo/m?limit=10+items&page=2&z=1')
    assert.equal(body.plain.headers['x-secret'], 's', 'the other backend gets the request unchanged')
    assert.equal(body.plain.headers['x-api-key'], undefined)
    assert.doesNotMatch(body.plain.url, /limit/)
  })

  test('unsupported modifiers and scopes are config errors at their JSON path', () => {
    const check = martianErrors
    const base = MARTIAN_AT
    const url = check({ 'static.Modifier': { scope: ['request'] } })
    assert.equal(url[0]?.location?.path, `${base}.static.Modifier`)
    assert.match(url[0]?.message ?? '', /not supported/)
    const body = check({ 'body.Modifier': { scope: ['request'], body: 'not base64!' } })
    assert.equal(body[0]?.location?.path, `${base}.body.Modifier.body`)
    assert.deepEqual(check({ 'header.Modifier': { scope: ['response'], name: 'A', value: 'b' } }), [])
    const query = check({ 'querystring.Modifier': { scope: ['response'], name: 'a', value: 'b' } })
    assert.equal(query[0]?.location?.path, `${base}.querystring.Modifier.scope`)
    assert.match(query[0]?.message ?? '', /drops the whole martian config/)
    const unknown = check({ 'header.Modifier': { scope: ['both'], name: 'A', value: 'b' } })
    assert.equal(unknown[0]?.location?.path, `${base}.header.Modifier.scope`)
    const encoding = check({ 'header.Blacklist': { scope: ['response'], names: ['Content-Encoding'] } })
    assert.equal(encoding[0]?.location?.path, `${base}.header.Blacklist.names[0]`)
    const noModifier = check({ 'header.Filter': { scope: ['request'], name: 'X-A', value: 'b' } })
    assert.equal(noModifier[0]?.location?.path, `${base}.header.Filter.modifier`)
    const nested = check({
      'fifo.Group': {
        modifiers: [
          { 'header.Modifier': { scope: ['request'], name: 'A', value: 'b' } },
          { 'static.Modifier': {} },
        ],
      },
    })
    assert.equal(nested[0]?.location?.path, `${base}.fifo.Group.modifiers[1].static.Modifier`)
  })

  test("the response scope edits the backend's answer headers before a no-op endpoint passes them on", async () => {
    const res = await send(gw.url, { path: '/answer' })
    assert.equal(res.status, 200)
    assert.equal(res.text, 'hi')
    assert.equal(res.headers['x-martian'], 'm')
    assert.deepEqual(res.headers['x-backend'], ['b', 'again'])
    assert.equal(res.headers['x-copy'], 'b')
    assert.equal(res.headers['x-drop'], undefined)
    assert.equal(res.headers['x-request-only'], undefined)
    assert.equal(res.headers['x-never'], undefined)
    const seen = gw.backend.seen.findLast((r) => r.url === '/answer')
    assert.equal(seen?.headers['x-martian'], 'm', 'request and response scope: both')
    assert.equal(seen?.headers['x-request-only'], 'r')
  })

  test('return_error_details reports the Content-Type the response scope set', async () => {
    const res = await send(gw.url, { path: '/details' })
    assert.equal(
      res.text,
      '{"error_be":{"http_status_code":400,"http_body":"{\\"error\\":\\"no\\"}","http_body_encoding":"application/problem+json"}}',
    )
  })

  test('header.Filter and querystring.Filter choose their modifier or else; cookie.Modifier writes as Go does', async () => {
    const matched = await send(gw.url, {
      path: '/filtered?legacy',
      headers: { 'x-tenant': 'acme', cookie: 'a=1' },
    })
    const sent = JSON.parse(matched.text) as { url: string; headers: Record<string, string> }
    assert.equal(sent.headers.cookie, 'a=1; tenant="acme co"', 'Request.AddCookie: quoted for the space')
    assert.equal(sent.headers['x-plan'], undefined)
    assert.equal(sent.url, '/echo/filtered?legacy=&v=1')
    // No X-Tenant on the answer: the first filter's response side takes its (empty) else.
    assert.equal(
      matched.headers['set-cookie'],
      'seen=yes; Path=/ab; Domain=example.com; Expires=Wed, 02 Jan 2030 15:04:05 GMT; Max-Age=60; HttpOnly',
    )
    const other = await send(gw.url, { path: '/filtered', headers: { 'x-tenant': 'other' } })
    const otherSent = JSON.parse(other.text) as { url: string; headers: Record<string, string> }
    assert.equal(otherSent.headers['x-plan'], 'free')
    assert.equal(otherSent.headers.cookie, undefined)
    assert.equal(otherSent.url, '/echo/filtered')
    assert.match(String(other.headers['set-cookie']), /^seen=yes; /)
  })

  test('cookie.Modifier: an invalid name, expiry or flag is refused (KrakenD would write a broken cookie or drop the config)', () => {
    const errors = (cookie: Record<string, unknown>) =>
      martianErrors({ 'cookie.Modifier': { scope: ['request'], ...cookie } }).map((e) =>
        e.location?.path?.split('.').at(-1),
      )
    assert.deepEqual(errors({ name: 'a b', value: 'x' }), ['name'])
    assert.deepEqual(errors({ name: 'a', expires: 'tomorrow' }), ['expires'])
    assert.deepEqual(errors({ name: 'a', secure: 'yes' }), ['secure'])
    assert.deepEqual(errors({ name: 'a', maxAge: 1.5 }), ['maxAge'])
    assert.deepEqual(errors({ name: 'a', value: 'b' }), [])
  })

  test("header.RegexFilter matches the request header's first value with Go's regexp, on both sides", async () => {
    const ios = await send(gw.url, { path: '/regex', headers: { 'x-client': 'mobile-ios' } })
    const sent = JSON.parse(ios.text) as { url: string; headers: Record<string, string> }
    assert.equal(sent.url, '/echo/regex?m=1')
    assert.equal(sent.headers['x-mobile'], 'yes')
    assert.equal(ios.headers['x-mobile'], 'yes', "the answer side reads the request's header")
    const web = await send(gw.url, { path: '/regex', headers: { 'x-client': 'mobile-web' } })
    assert.equal((JSON.parse(web.text) as { url: string }).url, '/echo/regex')
    assert.equal(web.headers['x-mobile'], undefined)
  })

  test('header.RegexFilter: a regexp Go does not compile is refused', () => {
    const errors = martianErrors({
      'header.RegexFilter': {
        scope: ['request'],
        header: 'X-A',
        regex: '(?<=x)y',
        modifier: { 'header.Modifier': { scope: ['request'], name: 'X-B', value: '1' } },
      },
    })
    assert.equal(
      errors[0]?.location?.path,
      'endpoints[0].backend[0].extra_config.modifier/martian.header.RegexFilter.regex',
    )
  })

  test('body.Modifier replaces the request body, with its Content-Type and length', async () => {
    const res = await send(gw.url, {
      method: 'POST',
      path: '/body-request',
      headers: { 'content-type': 'text/plain' },
      body: 'from the client',
    })
    const sent = JSON.parse(res.text) as { body: string; headers: Record<string, string> }
    assert.equal(sent.body, '{"msg":"static","n":1.50}')
    assert.equal(sent.headers['content-type'], 'text/x-static')
    assert.equal(sent.headers['content-length'], '25')
    assert.equal(sent.headers['transfer-encoding'], undefined)
  })

  test('body.Modifier replaces the answer: decoded as the backend encoding, or passed on cut to the Range', async () => {
    const rendered = await send(gw.url, { path: '/body-rendered' })
    assert.equal(rendered.text, '{"msg":"static","n":1.50}')
    const whole = await send(gw.url, { path: '/body-answer' })
    assert.equal(whole.status, 200)
    assert.equal(whole.text, '{"msg":"static","n":1.50}')
    assert.equal(whole.headers['content-type'], 'application/json')
    const part = await send(gw.url, { path: '/body-answer', headers: { range: 'bytes=2-4' } })
    assert.equal(part.status, 206)
    assert.equal(part.text, 'msg')
    assert.equal(part.headers['content-range'], 'bytes 2-4/25')
    assert.equal((await send(gw.url, { path: '/body-answer', headers: { range: 'bytes=4-2' } })).status, 416)
    const parts = await send(gw.url, { path: '/body-answer', headers: { range: 'bytes=0-0,2-4' } })
    const boundary = /^multipart\/byteranges; boundary=([0-9a-f]{60})$/.exec(
      String(parts.headers['content-type']),
    )?.[1]
    assert.ok(boundary, String(parts.headers['content-type']))
    assert.equal(
      parts.text,
      `--${boundary}\r\nContent-Range: bytes 0-0/25\r\nContent-Type: application/json\r\n\r\n{` +
        `\r\n--${boundary}\r\nContent-Range: bytes 2-4/25\r\nContent-Type: application/json\r\n\r\nmsg` +
        `\r\n--${boundary}--\r\n`,
    )
    const bad = await send(gw.url, { path: '/body-answer', headers: { range: 'bytes=x-2' } })
    assert.equal(bad.status, 500, "strconv's error fails the call")
  })

  test("a response modifier's error is the call's failure: the circuit breaker counts it", async () => {
    const bad = await send(gw.url, { path: '/body-breaker', headers: { range: 'bytes=x-2' } })
    assert.equal(bad.status, 500)
    const next = await send(gw.url, { path: '/body-breaker' })
    assert.equal(next.status, 500, 'max_errors 0: the failed call opened the circuit')
  })
})
