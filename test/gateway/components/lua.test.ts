import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { tempDir } from '../../helpers/files.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

let backend: TestBackend
let gw: Running
let routerGw: Running
const dir = tempDir('lua-test-')
const helpers = join(dir, 'helpers.lua')
writeFileSync(
  helpers,
  'function shout(s)\n  return string.upper(s)\nend\nfunction broken()\n  error("from a source")\nend\n',
)

const luaConfig = (host: string[]) => ({
  version: 3,
  name: 'lua',
  extra_config: { router: { return_error_msg: true } },
  endpoints: [
    {
      endpoint: '/backend/pre/{id}',
      input_headers: ['X-In'],
      input_query_strings: ['q'],
      backend: [
        {
          host,
          url_pattern: '/echo/{id}',
          extra_config: {
            'modifier/lua-backend': {
              pre: [
                'local r = request.load()',
                'r:url(r:url() .. "&added=" .. r:params("Id"))',
                'r:headers("X-Lua", r:headers("X-In") .. "-" .. r:method() .. "-" .. r:path() .. "-" .. r:query())',
                'r:headers("X-In", nil)',
              ].join('\n'),
            },
          },
        },
      ],
    },
    {
      endpoint: '/backend/post',
      backend: [
        {
          host,
          url_pattern: '/state',
          extra_config: {
            'modifier/lua-backend': {
              allow_open_libs: true,
              post: [
                'local d = response.load():data()',
                'd:set("numbers", tostring(10/2) .. " " .. (2^53) .. " " .. 0.1 .. " " .. 1234567.5 .. " " .. 1e-5 .. " " .. 100000 * 100000)',
                'd:set("count_plus", d:get("count") + 1)',
                'd:del("status")',
                'local items = d:get("items")',
                'd:set("first", items:get(0))',
                'd:set("items_len", items:len())',
                'items:set(1, "changed")',
                'd:set("keys", table.concat({d:keys():get(0), d:keys():get(1)}, ","))',
                'd:set("has_items", d:keyExists("items"))',
                'd:set("nested", {a = 1, list = {"x", "y"}, empty = {}})',
                'd:set("null", luaNil.new())',
                'response.load():isComplete(false)',
              ].join('\n'),
            },
          },
        },
      ],
    },
    {
      endpoint: '/backend/post-headers',
      backend: [
        {
          host,
          url_pattern: '/state',
          extra_config: { 'modifier/lua-backend': { post: 'response.load():headers("X-Script", "set")' } },
        },
      ],
    },
    {
      endpoint: '/backend/post-headers-merged',
      backend: [
        {
          host,
          url_pattern: '/state',
          group: 'a',
          extra_config: { 'modifier/lua-backend': { post: 'response.load():headers("X-Script", "set")' } },
        },
        { host, url_pattern: '/state', group: 'b' },
      ],
    },
    {
      endpoint: '/backend/teapot',
      backend: [
        {
          host,
          url_pattern: '/state',
          extra_config: {
            'modifier/lua-backend': { pre: 'custom_error("short and stout", 418, "text/teapot")' },
          },
        },
      ],
    },
    ...[0, 1000].map((code) => ({
      endpoint: `/backend/code-${code}`,
      backend: [
        {
          host,
          url_pattern: '/state',
          extra_config: { 'modifier/lua-backend': { pre: `custom_error("odd", ${code})` } },
        },
      ],
    })),
    {
      endpoint: '/backend/skip',
      backend: [
        {
          host,
          url_pattern: '/skipped',
          extra_config: {
            'modifier/lua-backend': { skip_next: true, post: 'response.load():data():set("from", "lua")' },
          },
        },
      ],
    },
    {
      endpoint: '/backend/error',
      backend: [
        { host, url_pattern: '/state', extra_config: { 'modifier/lua-backend': { pre: 'error("boom")' } } },
      ],
    },
    {
      endpoint: '/backend/source-error',
      backend: [
        {
          host,
          url_pattern: '/state',
          extra_config: { 'modifier/lua-backend': { sources: [helpers], pre: 'broken()' } },
        },
      ],
    },
    {
      endpoint: '/backend/no-string-lib',
      backend: [
        {
          host,
          url_pattern: '/state',
          extra_config: { 'modifier/lua-backend': { sources: [helpers], pre: 'shout("x")' } },
        },
      ],
    },
    {
      endpoint: '/proxy/{id}',
      input_headers: ['X-In'],
      input_query_strings: ['q'],
      extra_config: {
        'modifier/lua-proxy': {
          sources: [helpers],
          allow_open_libs: true,
          pre: [
            'local r = request.load()',
            'r:params("Id", shout(r:params("Id")))',
            'r:query("q=from+lua&z=1")',
            'r:headers("X-In", r:headers("X-In") .. "!")',
            'local l = luaList.new()',
            'l:set(0, "a") l:set(1, "b")',
            'r:headerList("X-List", l)',
            'r:body("new body")',
          ].join('\n'),
          post: [
            'local resp = response.load()',
            'resp:headers("X-From-Lua", "yes")',
            'resp:data():set("seen_complete", resp:isComplete())',
            'resp:data():set("status_code", resp:statusCode())',
          ].join('\n'),
        },
      },
      backend: [{ host, url_pattern: '/echo/{id}', method: 'POST' }],
    },
    {
      endpoint: '/proxy-skip',
      extra_config: {
        'modifier/lua-proxy': { skip_next: true, post: 'response.load():data():set("only", "lua")' },
      },
      backend: [{ host, url_pattern: '/never' }],
    },
    {
      endpoint: '/proxy-error',
      extra_config: { 'modifier/lua-proxy': { pre: 'custom_error("nope", 403)' } },
      backend: [{ host, url_pattern: '/never' }],
    },
    {
      endpoint: '/proxy-code-0',
      extra_config: { 'modifier/lua-proxy': { pre: 'custom_error("odd", 0)' } },
      backend: [{ host, url_pattern: '/never' }],
    },
  ],
})

const routerConfig = (host: string[]) => ({
  version: 3,
  name: 'lua-router',
  extra_config: {
    router: { return_error_msg: true },
    'modifier/lua-endpoint': {
      pre: [
        'local c = ctx.load()',
        'c:headers("X-Service", "svc-" .. c:method())',
        'if c:headers("User-Agent") == "disguised" then c:headers("User-Agent", "lua-bot") end',
        'if c:headers("X-Fail-Service") == "1" then custom_error("svc says no", 418) end',
        'if c:headers("X-Error-Service") == "1" then error("svc boom") end',
      ].join('\n'),
    },
    'security/bot-detector': { deny: ['lua-bot'] },
  },
  endpoints: [
    {
      endpoint: '/router/{id}',
      method: 'POST',
      input_headers: ['X-In', 'X-Service', 'X-Lua'],
      input_query_strings: ['q', 'added'],
      extra_config: {
        'modifier/lua-endpoint': {
          pre: [
            'local c = ctx.load()',
            'c:headers("X-Lua", table.concat({c:method(), c:url(), c:host(), c:params("id"), c:query("q"),',
            '  c:headers("X-In"), c:body(), c:headers("X-Service")}, "|"))',
            'c:query("added", "yes")',
            'c:params("id", "changed")',
            'c:headers("X-In", nil)',
            'c:body("new body")',
          ].join('\n'),
        },
      },
      backend: [{ host, url_pattern: '/echo/{id}' }],
    },
    {
      endpoint: '/router-teapot',
      extra_config: {
        'modifier/lua-endpoint': { pre: 'custom_error("short and stout", 418, "text/teapot")' },
      },
      backend: [{ host, url_pattern: '/state' }],
    },
    {
      endpoint: '/router-error',
      extra_config: { 'modifier/lua-endpoint': { pre: 'error("boom")' } },
      backend: [{ host, url_pattern: '/state' }],
    },
    ...[0, -2, 99, 1000].map((code, i) => ({
      endpoint: `/router-code-${i}`,
      extra_config: { 'modifier/lua-endpoint': { pre: `custom_error("odd", ${code}, "text/odd")` } },
      backend: [{ host, url_pattern: '/state' }],
    })),
    {
      endpoint: '/router-order',
      extra_config: {
        'security/bot-detector': { deny: ['endpoint-bot'] },
        'modifier/lua-endpoint': {
          pre: 'if ctx.load():headers("X-Stop") == "1" then custom_error("stopped", 418) end',
        },
        'qos/ratelimit/router': { max_rate: 1, capacity: 1, every: '1h' },
      },
      backend: [{ host, url_pattern: '/state' }],
    },
  ],
})

before(async () => {
  backend = await startBackend('lua', {
    '/state': { body: { status: 'ok', count: 41, items: ['one', 'two'] } },
  })
  gw = await startGateway(mustConfig(luaConfig([backend.origin])))
  routerGw = await startGateway(mustConfig(routerConfig([backend.origin])))
})
after(async () => {
  await gw?.close()
  await routerGw?.close()
  await backend?.close()
})

describe('modifier/lua-backend', () => {
  test('pre changes the URL and headers the backend gets, and reads the request as lura builds it', async () => {
    const res = await send(gw.url, { path: '/backend/pre/7?q=1&other=2', headers: { 'X-In': 'in' } })
    assert.equal(res.status, 200)
    const echo = JSON.parse(res.text) as { url: string; headers: Record<string, string> }
    assert.equal(echo.url, '/echo/7?q=1&added=7')
    assert.equal(echo.headers['x-lua'], 'in-GET-/echo/7-q=1')
    assert.equal(echo.headers['x-in'], undefined)
  })

  test('post rewrites the data through luaTable/luaList; numbers print as gopher-lua prints them', async () => {
    const res = await send(gw.url, { path: '/backend/post' })
    assert.equal(res.status, 200)
    assert.equal(res.headers['x-krakend-completed'], 'false')
    assert.deepEqual(JSON.parse(res.text), {
      count: 41,
      count_plus: 42,
      first: 'one',
      has_items: true,
      items: ['one', 'changed'],
      items_len: 2,
      keys: 'count,count_plus',
      nested: { a: 1, empty: null, list: ['x', 'y'] },
      null: null,
      numbers: '5 9007199254740992 0.1 1.2345675e+06 1e-05 10000000000',
    })
  })

  test("a backend post's response headers reach the client when its answer is the endpoint's; a merge drops them", async () => {
    const single = await send(gw.url, { path: '/backend/post-headers' })
    assert.equal(single.status, 200)
    assert.equal(single.headers['x-script'], 'set', "lura's gin handler copies the response metadata headers")
    const merged = await send(gw.url, { path: '/backend/post-headers-merged' })
    assert.equal(merged.status, 200)
    assert.equal(merged.headers['x-script'], undefined, "lura's merge keeps no metadata")
  })

  test('custom_error answers with its status, message and content type', async () => {
    const res = await send(gw.url, { path: '/backend/teapot' })
    assert.equal(res.status, 418)
    assert.equal(res.text, 'short and stout')
    assert.equal(res.headers['content-type'], 'text/teapot')
  })

  test('a custom_error status gin cannot write: 0 is 200 with the message, 1000 a 200 with no body (return_error_msg)', async () => {
    // lura's c.Status(0) is ignored by gin; writing the message with 1000 panics inside gin's
    // Recovery, after which net/http answers 200. Both were 500 'status code N' here.
    const zero = await send(gw.url, { path: '/backend/code-0' })
    assert.equal(zero.status, 200)
    assert.equal(zero.text, 'odd')
    assert.equal(zero.headers['content-type'], 'text/plain; charset=utf-8')
    assert.equal(zero.headers['x-krakend-completed'], 'false')
    const big = await send(gw.url, { path: '/backend/code-1000' })
    assert.equal(big.status, 200)
    assert.equal(big.text, '')
    assert.equal(big.headers['content-type'], undefined)
    assert.equal(big.headers['x-krakend-completed'], 'false')
  })

  test('skip_next answers from post without calling the backend', async () => {
    const before = backend.seen.length
    const res = await send(gw.url, { path: '/backend/skip' })
    assert.equal(res.status, 200)
    assert.deepEqual(JSON.parse(res.text), { from: 'lua' })
    assert.equal(res.headers['x-krakend-completed'], 'false')
    assert.equal(backend.seen.length, before)
  })

  test('a Lua error is a 500 naming the script and line', async () => {
    const res = await send(gw.url, { path: '/backend/error' })
    assert.equal(res.status, 500)
    assert.equal(res.text, 'boom (pre-script:L1)')
    const source = await send(gw.url, { path: '/backend/source-error' })
    assert.equal(source.status, 500)
    assert.equal(source.text, 'from a source (helpers.lua:L5)')
  })

  test('without allow_open_libs the string library is not there', async () => {
    const res = await send(gw.url, { path: '/backend/no-string-lib' })
    assert.equal(res.status, 500)
    assert.match(res.text, /helpers\.lua:L2\)$/)
  })
})

describe('modifier/lua-proxy', () => {
  test('pre changes params, query, headers and body for every backend; post adds response headers', async () => {
    const res = await send(gw.url, { method: 'GET', path: '/proxy/abc?q=1', headers: { 'X-In': 'in' } })
    assert.equal(res.status, 200)
    assert.equal(res.headers['x-from-lua'], 'yes')
    const echo = JSON.parse(res.text) as Record<string, unknown> & {
      url: string
      headers: Record<string, string>
      body: string
    }
    assert.equal(echo.url, '/echo/ABC?q=from+lua&z=1')
    assert.equal(echo.headers['x-in'], 'in!')
    assert.equal(echo.headers['x-list'], 'a, b')
    assert.equal(echo.body, 'new body')
    assert.equal(echo.seen_complete, true)
    assert.equal(echo.status_code, 0)
  })

  test('skip_next answers without any backend call', async () => {
    const before = backend.seen.length
    const res = await send(gw.url, { path: '/proxy-skip' })
    assert.equal(res.status, 200)
    assert.deepEqual(JSON.parse(res.text), { only: 'lua' })
    assert.equal(backend.seen.length, before)
  })

  test('custom_error in pre answers with its status', async () => {
    const res = await send(gw.url, { path: '/proxy-error' })
    assert.equal(res.status, 403)
    assert.equal(res.text, 'nope')
    assert.equal(res.headers['x-krakend-completed'], 'false')
  })

  test('a custom_error status of 0 is left out by gin: 200 with the message, no backend call (it was 500)', async () => {
    const before = backend.seen.length
    const res = await send(gw.url, { path: '/proxy-code-0' })
    assert.equal(res.status, 200)
    assert.equal(res.text, 'odd')
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
    assert.equal(res.headers['x-krakend-completed'], 'false')
    assert.equal(backend.seen.length, before)
  })
})

describe('modifier/lua-endpoint', () => {
  test('endpoint pre reads the request as gin has it; its changes and the service-level ones reach the backend', async () => {
    const res = await send(routerGw.url, {
      method: 'POST',
      path: '/router/7?q=1&other=2',
      headers: { 'X-In': 'in', 'Content-Type': 'text/plain' },
      body: 'old body',
    })
    assert.equal(res.status, 200)
    const echo = JSON.parse(res.text) as { url: string; headers: Record<string, string>; body: string }
    const host = new URL(routerGw.url).host
    assert.equal(echo.headers['x-lua'], `POST|/router/7?q=1&other=2|${host}|7|1|in|old body|svc-POST`)
    assert.equal(echo.url, '/echo/changed?added=yes&q=1')
    assert.equal(echo.headers['x-in'], undefined)
    assert.equal(echo.headers['x-service'], 'svc-POST')
    assert.equal(echo.body, 'new body')
  })

  test('endpoint custom_error answers its status and content type with no body', async () => {
    const res = await send(routerGw.url, { path: '/router-teapot' })
    assert.equal(res.status, 418)
    assert.equal(res.text, '')
    assert.equal(res.headers['content-type'], 'text/teapot')
    assert.equal(res.headers['x-krakend'], undefined)
  })

  test('an endpoint custom_error status gin cannot write is a 200 with its content type and no body', async () => {
    // gin ignores a status <= 0; one Go refuses (below 100, above 999) panics in gin's Recovery,
    // after which net/http answers 200. Either way the backend is not called (they were 500 here).
    for (let i = 0; i < 4; i += 1) {
      const res = await send(routerGw.url, { path: `/router-code-${i}` })
      assert.equal(res.status, 200, `code #${i}`)
      assert.equal(res.text, '')
      assert.equal(res.headers['content-type'], 'text/odd')
      assert.equal(res.headers['x-krakend'], undefined)
    }
  })

  test('an endpoint Lua error is a 500 with no body, even with return_error_msg', async () => {
    const res = await send(routerGw.url, { path: '/router-error' })
    assert.equal(res.status, 500)
    assert.equal(res.text, '')
    assert.equal(res.headers['x-krakend'], undefined)
  })

  test('service-level custom_error and errors are a 500 with no body, on unknown paths too; health is not touched', async () => {
    const custom = await send(routerGw.url, { path: '/router-teapot', headers: { 'X-Fail-Service': '1' } })
    assert.equal(custom.status, 500)
    assert.equal(custom.text, '')
    const failed = await send(routerGw.url, { path: '/nowhere', headers: { 'X-Error-Service': '1' } })
    assert.equal(failed.status, 500)
    assert.equal(failed.text, '')
    const health = await send(routerGw.url, { path: '/__health', headers: { 'X-Error-Service': '1' } })
    assert.equal(health.status, 200)
  })

  test('service-level Lua runs before the bot detector', async () => {
    const res = await send(routerGw.url, { path: '/router-order', headers: { 'User-Agent': 'disguised' } })
    assert.equal(res.status, 403)
  })

  test('endpoint Lua runs after the endpoint bot detector and before the rate limit', async () => {
    const bot = await send(routerGw.url, {
      path: '/router-order',
      headers: { 'User-Agent': 'endpoint-bot', 'X-Stop': '1' },
    })
    assert.equal(bot.status, 403)
    // Stopped by Lua: the rate limit's only token is still there for the next request.
    const stopped = await send(routerGw.url, { path: '/router-order', headers: { 'X-Stop': '1' } })
    assert.equal(stopped.status, 418)
    const first = await send(routerGw.url, { path: '/router-order' })
    assert.equal(first.status, 200)
    const limited = await send(routerGw.url, { path: '/router-order' })
    assert.equal(limited.status, 503)
  })
})

describe('Lua configuration', () => {
  const errorsOf = (raw: unknown) => validateGatewayConfig(raw).errors.map((e) => e.message)

  test('what KrakenD runs is taken: service-level params and body, no-op endpoints, HTTP calls', () => {
    const host = ['http://127.0.0.1:19']
    const config = (raw: Record<string, unknown>) => errorsOf({ version: 3, ...raw })
    const serviceParams = config({
      extra_config: { 'modifier/lua-endpoint': { pre: 'print(ctx.load():params("id"))' } },
      endpoints: [{ endpoint: '/a', backend: [{ host, url_pattern: '/' }] }],
    })
    // gin's params reach service-level Lua as in KrakenD (lua-service-params.test.ts).
    assert.deepEqual(serviceParams, [])
    const serviceBody = config({
      extra_config: { 'modifier/lua-endpoint': { pre: 'print(ctx.load():body())' } },
      endpoints: [{ endpoint: '/a', backend: [{ host, url_pattern: '/' }] }],
    })
    // The body reaches service-level Lua as in KrakenD (lua-service-body.test.ts).
    assert.deepEqual(serviceBody, [])
    const serviceHeaders = config({
      extra_config: { 'modifier/lua-endpoint': { pre: 'ctx.load():headers("X", "1")' } },
      endpoints: [{ endpoint: '/a', backend: [{ host, url_pattern: '/' }] }],
    })
    assert.deepEqual(serviceHeaders, [])
    const noop = config({
      endpoints: [
        {
          endpoint: '/noop',
          output_encoding: 'no-op',
          extra_config: { 'modifier/lua-proxy': { pre: 'print(1)' } },
          backend: [{ host, url_pattern: '/', encoding: 'no-op' }],
        },
      ],
    })
    // Lua on a no-op endpoint runs as in KrakenD (lua-noop-answer.test.ts).
    assert.deepEqual(noop, [])
    const http = config({
      endpoints: [
        {
          endpoint: '/http',
          backend: [
            {
              host,
              url_pattern: '/',
              extra_config: { 'modifier/lua-backend': { pre: 'http_response.new("http://x")' } },
            },
          ],
        },
      ],
    })
    // HTTP calls from Lua run as in KrakenD (lua-http-response.test.ts).
    assert.deepEqual(http, [])
  })
})
