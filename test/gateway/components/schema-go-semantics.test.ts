// validation/json-schema where ajv's own reading differs from santhosh-tekuri/jsonschema v6 (KrakenD
// CE 2.13.8's validator): `pattern` and `patternProperties` are Go regular expressions, `multipleOf`
// divides exactly (big.Rat), and draft-04/06/07 formats are santhosh-tekuri's validators. Each
// verdict below was taken from KrakenD itself (scripts/krakend-diff, suite regex) or from
// santhosh-tekuri v6.0.2 built with Go 1.25.12 (KrakenD CE 2.13.8's toolchain).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { formatError } from '../../../src/gateway/components/json-schema-formats.ts'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { goParseUrl } from '../../../src/gateway/go-url-parse.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

const schemaEndpoint = (path: string, schema: unknown, host: string[]) => ({
  endpoint: path,
  method: 'POST',
  extra_config: { 'validation/json-schema': schema },
  backend: [{ host, url_pattern: '/echo' }],
})

const gw = gatewayWith((backend) => {
  const host = [backend.origin]
  return {
    version: 3,
    name: 'schema-go',
    endpoints: [
      schemaEndpoint(
        '/pattern',
        {
          type: 'object',
          properties: {
            name: { type: 'string', pattern: '^[a-z\\s]+$' },
            code: { type: 'string', pattern: '(?i)^abc$' },
            line: { type: 'string', pattern: '^a.b$' },
            slow: { type: 'string', pattern: '^(a+)+$' },
          },
          patternProperties: { '^x-': { type: 'number' }, '^y-': { type: 'string' } },
        },
        host,
      ),
      schemaEndpoint('/price', { type: 'object', properties: { price: { multipleOf: 0.01 } } }, host),
      schemaEndpoint(
        '/formats',
        {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          properties: {
            email: { format: 'email' },
            ipv4: { format: 'ipv4' },
            uri: { format: 'uri' },
            version: { format: 'semver' },
            small: { format: 'int32' },
          },
        },
        host,
      ),
    ],
  }
})

const post = async (path: string, body: unknown) =>
  (await send(gw.url, { method: 'POST', path, body: JSON.stringify(body) })).status

describe('validation/json-schema with Go semantics', () => {
  test('patterns are Go regular expressions: RE2 classes, flags, and no backtracking', async () => {
    assert.equal(await post('/pattern', { name: 'a b' }), 200)
    // Go's \s is [\t\n\f\r ]: JavaScript's also takes the no-break space, U+2028 and \v.
    assert.equal(await post('/pattern', { name: 'a\u00a0b' }), 400)
    assert.equal(await post('/pattern', { name: 'a\u2028b' }), 400)
    assert.equal(await post('/pattern', { name: 'a\u000bb' }), 400)
    // (?i) is Go syntax (a JavaScript RegExp refuses it); Go's . takes \r and U+2028.
    assert.equal(await post('/pattern', { code: 'ABC' }), 200)
    assert.equal(await post('/pattern', { line: 'a\rb' }), 200)
    assert.equal(await post('/pattern', { line: 'a\u2028b' }), 200)
    assert.equal(await post('/pattern', { line: 'a\nb' }), 400)
    // Exponential for a backtracking engine; RE2 answers at once.
    assert.equal(await post('/pattern', { slow: `${'a'.repeat(5000)}!` }), 400)
    assert.equal(await post('/pattern', { slow: 'a'.repeat(5000) }), 200)
  })

  test('each patternProperties pattern is its own', async () => {
    assert.equal(await post('/pattern', { 'x-1': 1, 'y-1': 'text' }), 200)
    assert.equal(await post('/pattern', { 'x-1': 'text' }), 400)
    assert.equal(await post('/pattern', { 'y-1': 1 }), 400)
  })

  test('multipleOf divides the decimals as written', async () => {
    for (const price of [0.07, 19.99, 0.3, 1.005e3, 100])
      assert.equal(await post('/price', { price }), 200, `${price}`)
    for (const price of [0.001, 19.995]) assert.equal(await post('/price', { price }), 400, `${price}`)
  })

  test("draft-07 formats are KrakenD's: its own rules, and unknown formats are not asserted", async () => {
    assert.equal(await post('/formats', { email: 'a.b@c', ipv4: '+1.2.3.4', uri: 'http://a/b c' }), 200)
    assert.equal(
      await post('/formats', { small: 'not a number' }),
      200,
      'int32 is not a format KrakenD knows',
    )
    assert.equal(await post('/formats', { version: '1.2.3-01' }), 400, 'semver is one it knows')
    assert.equal(await post('/formats', { uri: 'http://a:80:90/' }), 400)
    assert.equal(await post('/formats', { email: 'a..b@c.d' }), 400)
  })

  test('a pattern Go cannot compile, or would match otherwise, is a config error', () => {
    const errors = (pattern: string) =>
      validateGatewayConfig({
        version: 3,
        endpoints: [schemaEndpoint('/a', { type: 'string', pattern }, ['http://127.0.0.1:19'])],
      }).errors.map((e) => `${e.message} ${e.hint ?? ''}`)
    assert.match(errors('a(?=b)').join('\n'), /does not compile.*skip the validation/)
    assert.match(errors('(?i)\\p{L}').join('\n'), /Unicode 15\.0.*otherwise than KrakenD/)
    assert.deepEqual(errors('^[\\p{L} ]+$'), [])
    assert.deepEqual(errors('(?i)\\p{Greek}+'), [])
  })
})

describe('santhosh-tekuri/jsonschema v6 format validators', () => {
  test("each verdict is the Go validator's", () => {
    const table: Array<[string, string, boolean]> = [
      ['email', 'a.b@c', true],
      ['email', '"a b"@c.d', true],
      ['email', 'a..b@c.d', false],
      ['email', 'a@[IPv6:::1]', true],
      ['email', 'a@b.c.', true],
      ['email', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.c', false],
      ['email', 'é@b.c', false],
      ['hostname', 'a-.b', false],
      ['hostname', 'a.b.', true],
      ['hostname', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b', false],
      ['ipv4', '+1.2.3.4', true],
      ['ipv4', '-0.1.2.3', true],
      ['ipv4', '01.2.3.4', false],
      ['ipv4', '256.1.1.1', false],
      ['ipv6', '::ffff:1.2.3.4', true],
      ['ipv6', 'fe80::1%eth0', false],
      ['ipv6', '1:2:3:4:5:6:7:8:9', false],
      ['ipv6', '::1.2.3.04', false],
      ['ipv6', '1:2:3:4:5:6:7::', true],
      ['uri', 'http://a/b c', true],
      ['uri', 'http://ü.de/', true],
      ['uri', 'http://a:80:90/', false],
      ['uri', 'ftp://a:80:90/', false],
      ['uri', 'http://::1/', false],
      ['uri', 'http://[::1]/', true],
      ['uri', 'http://[1.2.3.4]/', false],
      ['uri', 'http://a/%zz', false],
      ['uri', 'a:%zz', true],
      ['uri', '/rel', false],
      ['uri', 'http://a b/', false],
      ['uri', 'http://a#%zz', false],
      ['uri', 'http://a?%zz', true],
      ['uri', 'http://u@s@a/', true],
      ['uri', 'http://u^@a/', false],
      ['uri-reference', 'a b', true],
      ['uri-reference', 'seg:x/y', true],
      ['uri-reference', '\\x', false],
      ['uri-reference', '', true],
      ['uri-template', 'http://a/{b', false],
      ['uri-template', 'http://a/b}', false],
      ['uri-template', 'http://a/{{b}}', false],
      ['uri-template', 'http://a/%7Bb', true],
      ['date-time', '2024-01-02 03:04:05Z', false],
      ['date-time', '2024-01-02T03:04:05+0100', false],
      ['date-time', '2024-01-02T00:30:60+01:00', false],
      ['date-time', '2024-01-02T22:59:60-01:00', true],
      ['date-time', '2023-02-29T00:00:00Z', false],
      ['date', '+2024-01-02', false],
      ['date', '2024-02-29', true],
      ['time', '+3:04:05Z', true],
      ['time', '-0:04:05Z', true],
      ['duration', 'P1M1Y', false],
      ['duration', 'P1W2D', false],
      ['duration', 'PT', false],
      ['period', 'P1D/P1D', false],
      ['semver', '1.2.3-01', false],
      ['semver', '1.2.3+', false],
      ['regex', '(', false],
      ['regex', '(?i)a', true],
      ['regex', 'a(?=b)', false],
      ['relative-json-pointer', '01', false],
      ['json-pointer', '/a~2', false],
      ['int32', 'x', true],
      ['password', '', true],
    ]
    for (const [format, value, valid] of table)
      assert.equal(formatError(format, value) === undefined, valid, `${format} ${JSON.stringify(value)}`)
  })

  test("Go's url.Parse: parts and errors", () => {
    assert.deepEqual(goParseUrl('HTTP://u@[::1%25en0]:80/a%20b/{c}?q#f'), {
      scheme: 'http',
      opaque: '',
      host: '[::1%en0]:80',
      path: '/a b/{c}',
      rawPath: '/a%20b/{c}',
    })
    assert.deepEqual(goParseUrl('mailto:x@y'), {
      scheme: 'mailto',
      opaque: 'x@y',
      host: '',
      path: '',
      rawPath: '',
    })
    assert.equal(goParseUrl(':x'), 'parse ":x": missing protocol scheme')
    assert.deepEqual(goParseUrl('x/y:z'), { scheme: '', opaque: '', host: '', path: 'x/y:z', rawPath: '' })
    assert.deepEqual(goParseUrl('//h/p'), { scheme: '', opaque: '', host: 'h', path: '/p', rawPath: '' })
    assert.equal(goParseUrl('1a:b'), 'parse "1a:b": first path segment in URL cannot contain colon')
    assert.equal(goParseUrl('http://a b/'), 'parse "http://a b/": invalid character " " in host name')
    assert.equal(goParseUrl('http://a/%zz'), 'parse "http://a/%zz": invalid URL escape "%zz"')
    assert.equal(goParseUrl('http://h:8x/'), 'parse "http://h:8x/": invalid port ":8x" after host')
    assert.equal(
      goParseUrl('http://a\u0007/'),
      'parse "http://a\\a/": net/url: invalid control character in URL',
    )
  })
})
