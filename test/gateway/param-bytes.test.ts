// A path parameter whose escapes decode to bytes that are not UTF-8 (`/e/%FF`, `/e/%E9x`): gin hands
// lura the bytes, lura fills the url_pattern with them and Go's URL writes each byte escaped in a
// path (`%FF`) and as it is in a query; a Lua script sees those bytes, one each (found by a
// differential probe against KrakenD CE). The gateway made text of them and sent `%C3%BF`.
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { describe, test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'
import { rawRequest } from './helpers.ts'

const LUA_VIEW = [
  'local r = request.load()',
  "r:headers('X-Path', r:path())",
  "r:headers('X-Path-Len', tostring(#r:path()))",
  "r:headers('X-P', r:params('P'))",
  "r:headers('X-P-Len', tostring(#r:params('P')))",
  "r:headers('X-In-Len', tostring(#r:headers('X-In')))",
].join('\n')

describe('path parameters holding bytes that are not UTF-8', () => {
  const gateway = rawGatewayWith((raw) => {
    const host = [raw.origin]
    return {
      version: 3,
      endpoints: [
        { endpoint: '/e/{p}', method: 'GET', backend: [{ host, url_pattern: '/b/{p}' }] },
        { endpoint: '/q/{p}', method: 'GET', backend: [{ host, url_pattern: '/b?x={p}' }] },
        {
          endpoint: '/x/{p}/{q}',
          method: 'GET',
          input_headers: ['X-In'],
          extra_config: { 'modifier/lua-proxy': { pre: LUA_VIEW } },
          backend: [{ host, url_pattern: '/l/{p}' }],
        },
        {
          endpoint: '/y/{p}',
          method: 'GET',
          backend: [
            { host, url_pattern: '/y/{p}', extra_config: { 'modifier/lua-backend': { pre: LUA_VIEW } } },
          ],
        },
      ],
    }
  })

  /** The answer's status line; the request line and headers are written as latin1 (one byte each). */
  const call = async (line: string, ...headers: string[]): Promise<string> => {
    const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1')
    socket.write(Buffer.from(rawRequest([line, 'Host: gw.example', ...headers]), 'latin1'))
    const chunks: Buffer[] = []
    for await (const chunk of socket) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('latin1').split('\r\n')[0] as string
  }
  const requestLine = () => gateway.raw.head().split('\r\n')[0]
  const header = (name: string) => gateway.raw.lines(name).map((line) => line.slice(name.length + 2))

  test('the path of the backend call has each byte escaped as the client sent it', async () => {
    for (const [target, sent] of [
      ['/e/%ff', '/b/%FF'],
      ['/e/%e9x', '/b/%E9x'],
      ['/e/%c3%a9%ff', '/b/%C3%A9%FF'],
      ['/e/%ed%a0%80', '/b/%ED%A0%80'],
      ['/e/%c3%a9', '/b/%C3%A9'],
    ]) {
      assert.equal(await call(`GET ${target} HTTP/1.1`), 'HTTP/1.1 200 OK', target)
      assert.equal(requestLine(), `GET ${sent} HTTP/1.1`, target)
    }
  })

  test("in the url_pattern's query the bytes go out as they are", async () => {
    await call('GET /q/%ff HTTP/1.1')
    assert.equal(requestLine(), 'GET /b?x=\u00ff HTTP/1.1')
    await call('GET /q/%e9x%26y HTTP/1.1')
    assert.equal(requestLine(), 'GET /b?x=\u00e9x&y HTTP/1.1')
  })

  test('lua-proxy sees the decoded path, the param and a header as their bytes', async () => {
    assert.equal(await call('GET /x/%ff/%41 HTTP/1.1', 'X-In: \u00e9\u00c3\u00a9'), 'HTTP/1.1 200 OK')
    assert.equal(requestLine(), 'GET /l/%FF HTTP/1.1')
    assert.deepEqual(header('X-Path'), ['/x/\u00ff/A'])
    assert.deepEqual(header('X-Path-Len'), ['6'])
    assert.deepEqual(header('X-P'), ['\u00ff'])
    assert.deepEqual(header('X-P-Len'), ['1'])
    assert.deepEqual(header('X-In-Len'), ['3'])
    await call('GET /x/%e9/%c3%a9 HTTP/1.1', 'X-In: a')
    assert.deepEqual(header('X-Path'), ['/x/\u00e9/\u00c3\u00a9'])
    assert.deepEqual(header('X-Path-Len'), ['7'])
  })

  test("a bad escape left in a parameter is named by its bytes (lura's paramChecker)", async () => {
    const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1')
    socket.write(rawRequest(['GET /e/%e9%25%c3%a9 HTTP/1.1', 'Host: gw.example']))
    const chunks: Buffer[] = []
    for await (const chunk of socket) chunks.push(chunk as Buffer)
    const answer = Buffer.concat(chunks).toString('latin1')
    assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/)
    // strconv.Quote of the bytes `%`, 0xC3, 0xA9: é, written as UTF-8.
    assert.ok(answer.endsWith('error: invalid URL escape "%\u00c3\u00a9"'), answer)
  })

  test('an encoded surrogate (ED A0 80, not UTF-8 to Go) set as a header by Lua goes out as those bytes', async () => {
    await call('GET /y/%ed%a0%80 HTTP/1.1')
    assert.equal(requestLine(), 'GET /y/%ED%A0%80 HTTP/1.1')
    assert.deepEqual(header('X-P'), ['\u00ed\u00a0\u0080'])
    assert.deepEqual(header('X-P-Len'), ['3'])
  })

  test('lua-backend sees the generated path and the param as their bytes', async () => {
    await call('GET /y/%ff HTTP/1.1')
    assert.equal(requestLine(), 'GET /y/%FF HTTP/1.1')
    assert.deepEqual(header('X-Path'), ['/y/\u00ff'])
    assert.deepEqual(header('X-Path-Len'), ['4'])
    assert.deepEqual(header('X-P-Len'), ['1'])
  })
})
