// CEL's matches() as cel-go runs it for KrakenD: Go regular expressions (checked against KrakenD CE
// 2.13.8 with scripts/krakend-diff, suite regex), whatever cel-js would do with a JavaScript RegExp.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { rewriteMatches } from '../../../src/gateway/components/cel-matches.ts'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

let backend: TestBackend
let gw: Running

const celEndpoint = (path: string, expr: string, host: string[]) => ({
  endpoint: path,
  input_query_strings: ['*'],
  extra_config: { 'validation/cel': [{ check_expr: expr }] },
  backend: [{ host, url_pattern: '/echo' }],
})

before(async () => {
  backend = await startBackend('api')
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'cel-matches',
      endpoints: [
        celEndpoint('/dynamic', 'req_querystring.v[0].matches(req_querystring.p[0])', host),
        celEndpoint('/global', "matches(req_querystring.v[0], '^[a-z\\\\s]+$')", host),
        celEndpoint('/member', "req_querystring.v[0].matches(r'^(?i)abc$')", host),
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const q = encodeURIComponent
const status = async (path: string) => (await send(gw.url, { path })).status
const matches = (pattern: string, value: string) => status(`/dynamic?p=${q(pattern)}&v=${q(value)}`)

describe('validation/cel matches()', () => {
  test('patterns are Go regular expressions', async () => {
    assert.equal(await matches('^[a-z\\s]+$', 'a b'), 200)
    // Go's \s is ASCII white space; JavaScript's also takes the no-break space and \v.
    assert.equal(await matches('^[a-z\\s]+$', 'a\u00a0b'), 500)
    assert.equal(await matches('^[a-z\\s]+$', 'a\u000bb'), 500)
    // Without the u flag, JavaScript reads \p{Greek} as the letters "p{Greek}".
    assert.equal(await matches('^\\p{Greek}+$', 'αβγ'), 200)
    assert.equal(await matches('^\\p{Greek}+$', 'p{Greek}'), 500)
    // Go syntax a RegExp refuses, and one Go refuses but a RegExp takes.
    assert.equal(await matches('(?i)^abc$', 'ABC'), 200)
    assert.equal(await matches('^\\x{41}$', 'A'), 200)
    assert.equal(await matches('(a)\\1', 'aa'), 500)
    assert.equal(await matches('^\\u0041$', 'A'), 500)
    // Go's . takes \r and a whole code point.
    assert.equal(await matches('^a.b$', 'a\rb'), 200)
    assert.equal(await matches('^a.b$', 'a😀b'), 200)
    // Exponential for a backtracking engine; linear for RE2.
    assert.equal(await matches('^(a+)+$', `${'a'.repeat(5000)}!`), 500)
  })

  test('the global form and literal patterns', async () => {
    assert.equal(await status(`/global?v=${q('a b')}`), 200)
    assert.equal(await status(`/global?v=${q('a\u00a0b')}`), 500)
    assert.equal(await status('/member?v=aBc'), 200)
    assert.equal(await status('/member?v=abd'), 500)
  })

  test('a literal pattern Go refuses, or would match otherwise, is a config error', () => {
    const errors = (expr: string) =>
      validateGatewayConfig({
        version: 3,
        endpoints: [celEndpoint('/a', expr, ['http://127.0.0.1:9'])],
      }).errors.map((e) => `${e.message} | ${e.hint ?? ''}`)
    assert.match(errors("req_method.matches('(a)\\\\1')").join('\n'), /invalid escape.*abort the request/)
    assert.match(errors("req_method.matches('\\\\p{L}')").join('\n'), /Unicode 15\.0.*otherwise than KrakenD/)
    assert.match(
      errors('req_method.matches(1)').join('\n'),
      /no matching overload for 'string\.matches\(int\)'/,
    )
    assert.match(errors("req_method.matchGo('a')").join('\n'), /undeclared reference to 'matchGo'/)
    assert.deepEqual(errors("req_method.matches('^(GET|POST)$')"), [])
  })

  test('only calls named matches are rewritten, never strings, comments or fields', () => {
    const rewrite = (expr: string) => rewriteMatches(expr).text
    assert.equal(rewrite("a.matches('x') && matches(b, 'y')"), "a.matchGo('x') && matchGo(b, 'y')")
    assert.equal(rewrite("a.matches ( 'x' )"), "a.matchGo ( 'x' )")
    assert.equal(
      rewrite("'a.matches(x)' == \"matches(\" && r'\\'.matches(' != ''"),
      "'a.matches(x)' == \"matches(\" && r'\\'.matchGo(' != ''",
    )
    assert.equal(
      rewrite("'''.matches(''' + b'x'.size() // .matches(\n"),
      "'''.matches(''' + b'x'.size() // .matches(\n",
    )
    assert.equal(rewrite('resp_data.matches == 1 && xmatches(1)'), 'resp_data.matches == 1 && xmatches(1)')
    assert.deepEqual(rewriteMatches("a.matches('x') && b.matches(c)").literalPatterns, ["'x'"])
  })
})
