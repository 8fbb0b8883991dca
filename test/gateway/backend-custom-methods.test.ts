// Backend methods other than the five KrakenD routes (OPTIONS, TRACE, a token like PURGE, a lower
// case "get"), which KrakenD CE runs: lura hands the method to Go's client title-cased
// (strings.ToTitle), and Go frames the body by it. Lua's r:method() shows it as written. A method
// Go refuses at call time, and CONNECT, are refused before anything runs. Expected requests are
// KrakenD CE 2.13.8's, byte for byte (checked on the oracle build). All were refused here before.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { rawGatewayWith } from './gateway-fixture.ts'
import { linesLogger, mustConfig, rawRequest, send, sendRaw, startBackend, startGateway } from './helpers.ts'

const backend = (origin: string, path: string, method: string, more: object = {}) => ({
  endpoint: path,
  method: 'POST',
  backend: [{ host: [origin], url_pattern: path, method, ...more }],
})

const luaShowsMethod = {
  'modifier/lua-backend': { pre: "local r = request.load(); r:headers('X-M', r:method())" },
}

const gw = rawGatewayWith((raw) => ({
  version: 3,
  endpoints: [
    backend(raw.origin, '/options', 'OPTIONS'),
    backend(raw.origin, '/trace', 'TRACE'),
    backend(raw.origin, '/purge', 'PURGE'),
    backend(raw.origin, '/get', 'get'),
    backend(raw.origin, '/lua', 'purge', { extra_config: luaShowsMethod }),
    {
      endpoint: '/inherits',
      method: 'post',
      backend: [{ host: [raw.origin], url_pattern: '/inherits', extra_config: luaShowsMethod }],
    },
  ],
}))

const post = (path: string, body?: string) =>
  sendRaw(
    gw.url,
    rawRequest([
      `POST ${path} HTTP/1.1`,
      'Host: gw',
      ...(body === undefined ? [] : ['Content-Type: application/json', `Content-Length: ${body.length}`]),
    ]) + (body ?? ''),
  )

const sent = (line: string, framed: string, extra = '') =>
  `${line} HTTP/1.1\r\nHost: ${new URL(gw.raw.origin).host}\r\nUser-Agent: KrakenD Version 2.13.8\r\n${framed}` +
  `X-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Host: gw\r\n${extra}Accept-Encoding: gzip\r\n\r\n`

const json = 'Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n'

test('OPTIONS and a lower case get: Go probes the body, its first byte goes as a chunk of its own', async () => {
  for (const [path, line] of [
    ['/options', 'OPTIONS /options'],
    ['/get', 'GET /get'],
  ]) {
    const res = await post(path as string, '{"x":2}')
    assert.equal(res.status, 200)
    assert.equal(gw.raw.requests.at(-1), `${sent(line as string, json)}1\r\n{\r\n6\r\n"x":2}\r\n0\r\n\r\n`)
  }
})

test('TRACE and PURGE: the body goes in one chunk; an empty body goes unframed', async () => {
  for (const method of ['TRACE', 'PURGE']) {
    const path = `/${method.toLowerCase()}`
    assert.equal((await post(path, '{"x":2}')).status, 200)
    assert.equal(gw.raw.requests.at(-1), `${sent(`${method} ${path}`, json)}7\r\n{"x":2}\r\n0\r\n\r\n`)
  }
  assert.equal((await post('/purge')).status, 200)
  assert.equal(gw.raw.requests.at(-1), sent('PURGE /purge', ''))
})

test("Lua's r:method() gives the backend's method as written, or the endpoint's it inherits", async () => {
  assert.equal((await post('/lua')).status, 200)
  assert.equal(gw.raw.requests.at(-1), sent('PURGE /lua', '', 'X-M: purge\r\n'))
  assert.equal((await post('/inherits')).status, 200)
  assert.equal(gw.raw.requests.at(-1), sent('POST /inherits', 'Content-Length: 0\r\n', 'X-M: post\r\n'))
})

test("a failed status is logged with the method as written, as lura's error prefix; a Lua-set non-token fails as Go's NewRequest", async () => {
  const lines: string[] = []
  const api = await startBackend('gone', { '/gone': { status: 404, body: {} } })
  const logger = linesLogger(lines)
  const running = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        backend(api.origin, '/gone', 'purge'),
        backend(api.origin, '/bad', 'GET', {
          extra_config: { 'modifier/lua-backend': { pre: "request.load():method('bad method')" } },
        }),
      ],
    }),
    { logger },
  ).catch(async (error) => {
    await api.close()
    throw error
  })
  try {
    assert.equal((await send(running.url, { method: 'POST', path: '/gone' })).status, 500)
    assert.equal((await send(running.url, { method: 'POST', path: '/bad' })).status, 500)
    running.gateway.logger.flush()
    assert.match(lines.join(''), new RegExp(`invalid status code 404 \\[purge /gone\\]: ${api.origin}/gone`))
    assert.match(lines.join(''), /\[ENDPOINT: \/bad\] net\/http: invalid method "BAD METHOD"\n/)
  } finally {
    await running.close()
    await api.close()
  }
})

test('a method Go refuses, and CONNECT, are refused where written', () => {
  const { errors } = validateGatewayConfig({
    version: 3,
    endpoints: [
      backend('http://127.0.0.1:8080', '/a', 'BAD METHOD'),
      backend('http://127.0.0.1:8080', '/b', 'pürge'),
      backend('http://127.0.0.1:8080', '/c', 'connect'),
    ],
  })
  assert.deepEqual(
    errors.map((e) => e.location?.path),
    ['endpoints[0].backend[0].method', 'endpoints[1].backend[0].method', 'endpoints[2].backend[0].method'],
  )
  assert.match(errors[0]?.message ?? '', /fails every call.*net\/http: invalid method "BAD METHOD"/)
  assert.match(errors[1]?.message ?? '', /invalid method "PÜRGE"/)
  assert.match(errors[2]?.message ?? '', /"CONNECT" is not supported/)
})
