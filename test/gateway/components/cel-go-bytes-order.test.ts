import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  mustConfig,
  type Running,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from '../helpers.ts'

// cel-go's strings are Go strings: ordered by their UTF-8 bytes, and a request's bytes that are not
// UTF-8 stay those bytes (not U+FFFD each, nor one U+FFFD for a run as TextDecoder reads them).
// Numbers of different types order as cel-go's compare.go, bool() is strconv.ParseBool. Each
// status here is KrakenD CE 2.13.8's (krakend-diff suite celedge).
let backend: TestBackend
let gateway: Running

const checks: Record<string, string> = {
  '/order-literal': "req_method != '' && '\\U0001F600' < '\\uff61'",
  '/order-header': "req_headers['X-A'][0] < '\\uffff'",
  '/fffd-header': "req_headers['X-A'][0] == '\\ufffd'",
  '/distinct-headers': "req_headers['X-A'][0] != req_headers['X-B'][0]",
  '/one-rune-header': "req_headers['X-A'][0].matches('^.$')",
  '/query-size': "size(req_querystring['q'][0]) == 1",
  '/path-fffd/{id}': "req_path.endsWith('\\ufffd')",
  '/int-double': "req_method != '' && dyn(9007199254740993) > 9007199254740992.0",
  '/parse-bool': "req_method != '' && bool('T') && !bool('F')",
  '/bytes-header': "bytes(req_headers['X-A'][0]) == b'\\xff'",
  '/joined': "req_headers['X-A'][0] + req_headers['X-B'][0] == '\\u65e5'",
  '/not-prefix': "!'\\u65e5'.startsWith(req_headers['X-A'][0])",
}

before(async () => {
  backend = await startBackend('api', { '/latin1': { headers: { 'X-Be': 'é' }, raw: '{}' } })
  const endpoints = Object.entries(checks).map(([path, expr]) => ({
    endpoint: path,
    input_headers: ['*'],
    input_query_strings: ['*'],
    extra_config: { 'validation/cel': [{ check_expr: expr }] },
    backend: [{ host: [backend.origin], url_pattern: '/echo' }],
  }))
  endpoints.push({
    endpoint: '/answer-header',
    input_headers: ['*'],
    input_query_strings: ['*'],
    extra_config: { 'validation/cel': [{ check_expr: "resp_metadata_headers['X-Be'][0] == '\\u00e9'" }] },
    backend: [{ host: [backend.origin], url_pattern: '/latin1', encoding: 'no-op' } as never],
    output_encoding: 'no-op',
  } as never)
  gateway = await startGateway(mustConfig({ version: 3, endpoints }))
})
after(async () => {
  await gateway?.close()
  await backend?.close()
})

/** The status of a GET with header lines given as bytes (latin1, one character per byte). */
const statusOf = async (target: string, headers: string[] = []) =>
  (
    await sendRaw(
      gateway.url,
      Buffer.from(
        `GET ${target} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n${headers.join('')}\r\n`,
        'latin1',
      ),
    )
  ).status

const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1')

describe('validation/cel: Go string order and bytes that are not UTF-8', () => {
  test('strings order by UTF-8 bytes: an emoji comes after U+FF61 and U+FFFF', async () => {
    assert.equal(await statusOf('/order-literal'), 500)
    assert.equal(await statusOf('/order-header', [`X-A: ${utf8('\u{1F600}')}\r\n`]), 500)
    assert.equal(await statusOf('/order-header', [`X-A: ${utf8('\uff61')}\r\n`]), 200)
  })

  test('a header byte that is not UTF-8 is neither U+FFFD nor another such byte', async () => {
    assert.equal(await statusOf('/fffd-header', ['X-A: \xff\r\n']), 500)
    assert.equal(await statusOf('/fffd-header', [`X-A: ${utf8('\ufffd')}\r\n`]), 200)
    assert.equal(await statusOf('/distinct-headers', ['X-A: \xff\r\n', 'X-B: \xfe\r\n']), 200)
    assert.equal(await statusOf('/bytes-header', ['X-A: \xff\r\n']), 200)
  })

  test('a cut UTF-8 sequence is one character per byte for matches() and size()', async () => {
    assert.equal(await statusOf('/one-rune-header', ['X-A: \xe6\x97\r\n']), 500)
    assert.equal(await statusOf('/one-rune-header', ['X-A: \xff\r\n']), 200)
    assert.equal(await statusOf('/query-size?q=%e6%97'), 500)
    assert.equal(await statusOf('/query-size?q=%ff'), 200)
  })

  test('bytes compare as bytes: E6 joined to 97 A5 is 日, and starts it', async () => {
    assert.equal(await statusOf('/joined', ['X-A: \xe6\r\n', 'X-B: \x97\xa5\r\n']), 200)
    assert.equal(await statusOf('/not-prefix', ['X-A: \xe6\r\n']), 500)
    assert.equal(await statusOf('/not-prefix', ['X-A: \xe7\r\n']), 200)
  })

  test('a path byte that is not UTF-8 is not U+FFFD', async () => {
    assert.equal(await statusOf('/path-fffd/%ff'), 500)
    assert.equal(await statusOf('/path-fffd/%EF%BF%BD'), 200)
  })

  test("a no-op answer's header byte E9 is not 'é'", async () => {
    assert.equal(await statusOf('/answer-header'), 500)
  })

  test('an int meets a double as a double; bool() takes T and F', async () => {
    assert.equal(await statusOf('/int-double'), 500)
    assert.equal(await statusOf('/parse-bool'), 200)
  })
})
