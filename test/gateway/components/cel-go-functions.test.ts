// cel-go's standard library where cel-js differs: matches() with Go regular expressions (checked
// against KrakenD CE 2.13.8 with scripts/krakend-diff, suite regex), timestamp() and duration() with
// Go's parsers, and what cel-go's type check refuses (so KrakenD would skip the expression). The
// other verdicts were taken from cel-go v0.26.1 with krakend-cel's declarations.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { rewriteCel } from '../../../src/gateway/components/cel-go-functions.ts'
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
        celEndpoint('/expires', 'timestamp(req_querystring.t[0]) > timestamp(now)', host),
        celEndpoint('/window', 'duration(req_querystring.d[0]) <= duration("1h")', host),
        celEndpoint('/bad-pattern', "req_querystring.ok[0] == 'y' || req_path.matches('(a)\\\\1')", host),
        celEndpoint(
          '/absorbed',
          'timestamp(req_querystring.t[0]) > timestamp(now) || req_method == "GET"',
          host,
        ),
        celEndpoint(
          '/conversions',
          'string(duration("-90m")) == "-5400s" && string(duration("1ns")) == "0.000000001s" && ' +
            'int(timestamp("2100-01-01T00:00:00Z")) == 4102444800 && [1, "a"] == [1, "a"] && req_method == "GET"',
          host,
        ),
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

  test('timestamp() and duration() read what Go reads, and fail on the rest', async () => {
    const expires = (t: string) => status(`/expires?t=${q(t)}`)
    assert.equal(await expires('2999-01-01T00:00:00Z'), 200)
    assert.equal(
      await expires('2999-01-01T1:00:00,5+01:00'),
      200,
      "Go's layout walk takes a one-digit hour and a comma",
    )
    assert.equal(await expires('2000-01-01T00:00:00Z'), 500)
    // A JavaScript Date takes each of these; Go's time.Parse(RFC3339) takes none, so KrakenD aborts.
    for (const t of [
      'Fri, 01 Jan 2999 00:00:00 GMT',
      '2999-01-01T00:00:00.000',
      '2999-01-01 00:00:00Z',
      '2999-02-30T00:00:00Z',
      '2999-01-01t00:00:00z',
      '10000-01-01T00:00:00Z',
    ])
      assert.equal(await expires(t), 500, t)
    assert.equal(await status(`/absorbed?t=${q('garbage')}`), 200, 'an error || true is true, as in cel-go')
    const window = (d: string) => status(`/window?d=${q(d)}`)
    for (const d of ['0', '59m', '1h', '1μs', '1µs', '.5h', '-1h']) assert.equal(await window(d), 200, d)
    for (const d of ['61m', 's', '1d', '', '9999999999h', '1.5']) assert.equal(await window(d), 500, d)
  })

  test("conversions cel-go has and cel-js lacks, and cel-go's mixed lists", async () => {
    assert.equal(await status('/conversions'), 200)
  })

  test('what cel-go does not type-check is a config error (KrakenD would skip the expression)', () => {
    const errors = (expr: string) =>
      validateGatewayConfig({
        version: 3,
        endpoints: [celEndpoint('/a', expr, ['http://127.0.0.1:19'])],
      }).errors.map((e) => e.message)
    for (const expr of [
      'req_method.lowerAscii() == "get"',
      'req_path.split("/").size() > 2',
      'math.greatest(1, 2) == 2 && req_method == "GET"',
      'optional.of(1).hasValue() && req_method == "GET"',
    ])
      assert.match(errors(expr).join('\n'), /not in cel-go's standard library/, expr)
    assert.match(
      errors('size(req_path) < 1.5').join('\n'),
      /no matching overload for '_<_' applied to '\(int, double\)'/,
    )
    assert.match(errors('resp_metadata_status >= 200u').join('\n'), /'_>=_' applied to '\(int, uint\)'/)
    assert.deepEqual(errors('size(req_path) < 15 && double(size(req_path)) < 1.5'), [])
  })

  test('a literal pattern Go would match otherwise is a config error; one Go refuses too is read, with a warning', () => {
    const problems = (expr: string) =>
      validateGatewayConfig({
        version: 3,
        endpoints: [celEndpoint('/a', expr, ['http://127.0.0.1:19'])],
      })
    const errors = (expr: string) => problems(expr).errors.map((e) => `${e.message} | ${e.hint ?? ''}`)
    // cel-go compiles it (the pattern is compiled at each call): KrakenD runs the expression.
    assert.deepEqual(errors("req_method.matches('(a)\\\\1')"), [])
    assert.match(
      problems("req_method.matches('(a)\\\\1')")
        .warnings.map((w) => w.message)
        .join('\n'),
      /invalid escape.*every evaluation that reaches it fails/,
    )
    assert.match(
      errors("req_method.matches('(?i)\\\\p{L}')").join('\n'),
      /Unicode 15\.0.*otherwise than KrakenD/,
    )
    assert.deepEqual(errors("req_method.matches('^\\\\p{Letter}+$')"), [])
    assert.match(
      errors('req_method.matches(1)').join('\n'),
      /no matching overload for 'string\.matches\(int\)'/,
    )
    assert.match(errors("req_method.matchGo('a')").join('\n'), /undeclared reference to 'matchGo'/)
    assert.match(errors("timestaGo('a') > timestamp(now) && req_method == 'GET'").join('\n'), /'timestaGo'/)
    assert.deepEqual(errors("req_method.matches('^(GET|POST)$')"), [])
  })

  test("a pattern Go refuses fails only the evaluations that reach it, as cel-go's || absorbs the error", async () => {
    assert.equal(await status('/bad-pattern?ok=y'), 200)
    assert.equal(await status('/bad-pattern?ok=n'), 500)
  })

  test('only calls are rewritten, never strings, comments or fields', () => {
    const rewrite = (expr: string) => rewriteCel(expr).text
    assert.equal(rewrite("a.matches('x') && matches(b, 'y')"), "a.matchGo('x') && matchGo(b, 'y')")
    assert.equal(rewrite('timestamp(now) + duration("1h")'), 'timestaGo(now) + duratiGo("1h")')
    assert.equal(rewrite('a.constructor(1) || toString(2)'), 'a.constructor(1) || toString(2)')
    assert.equal(rewriteCel('a.constructor(1)').unknownFunction, 'constructor')
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
    assert.deepEqual(rewriteCel("a.matches('x') && b.matches(c)").literalPatterns, ["'x'"])
  })
})
