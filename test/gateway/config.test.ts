import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { parse as parseYaml } from 'yaml'
import { isGwError } from '../../src/core/errors.ts'
import { MAX_TIMER_MS, parseDuration } from '../../src/gateway/config/duration.ts'
import {
  checkGatewayConfigFile,
  checkGatewayConfigText,
  loadGatewayConfig,
} from '../../src/gateway/config/load.ts'
import { normaliseHost, validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { mustConfig } from './helpers.ts'

const fixtures = new URL('../fixtures/gateway/', import.meta.url).pathname

describe('bad-config corpus: every file is refused with a located, named problem', () => {
  const dir = join(fixtures, 'bad')
  const files = readdirSync(dir).filter((f) => f !== 'syntax-error.json')
  test('the corpus covers the issue list', () => assert.ok(files.length >= 20))
  for (const name of files) {
    test(name, () => {
      const file = join(dir, name)
      const raw = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown> | unknown[]
      const expected = (Array.isArray(raw) ? { path: '', message: 'must be an object' } : raw['@expect']) as {
        path: string
        message: string
        line?: number
      }
      const result = checkGatewayConfigFile(file)
      assert.equal(result.config, undefined, 'no config is returned when there are errors')
      const match = result.errors.find((p) => p.message.includes(expected.message))
      assert.ok(
        match,
        `expected "${expected.message}" in ${JSON.stringify(result.errors.map((e) => e.message))}`,
      )
      assert.equal(match.location?.file, file)
      assert.equal(match.location?.path ?? '', expected.path)
      if (expected.path && !expected.message.startsWith('missing'))
        assert.ok((match.location?.line ?? 0) > 1, 'the problem names a line')
      if (expected.line !== undefined) assert.equal(match.location?.line, expected.line)
      assert.throws(
        () => loadGatewayConfig(file),
        (error: unknown) =>
          isGwError(error) &&
          error.exitCode === 2 &&
          error.problems.some((p) => p === match || p.message === match.message),
      )
    })
  }
  test('syntax-error.json: a syntax error names file:line', () => {
    const file = join(dir, 'syntax-error.json')
    assert.throws(
      () => checkGatewayConfigFile(file),
      (error: unknown) =>
        isGwError(error) &&
        error.exitCode === 2 &&
        error.problems.length > 0 &&
        // JSON.parse (as KrakenD parses .json): the trailing comma's `}` on line 2.
        error.problems[0]?.location?.line === 2,
    )
  })
  test('a missing file is a config error (exit 2)', () => {
    assert.throws(
      () => loadGatewayConfig(join(dir, 'does-not-exist.json')),
      (error: unknown) => isGwError(error) && error.exitCode === 2 && /cannot read/.test(error.message),
    )
  })
})

describe('lint corpus: typos and KrakenD v2 leftovers are warnings with the fix', () => {
  const dir = join(fixtures, 'lint')
  for (const name of readdirSync(dir)) {
    test(name, () => {
      const file = join(dir, name)
      const expected = (
        JSON.parse(readFileSync(file, 'utf8')) as {
          '@expect': Array<{ path: string; message: string; hint: string }>
        }
      )['@expect']
      const result = checkGatewayConfigFile(file)
      assert.deepEqual(result.errors, [], 'warnings only')
      assert.ok(result.config, 'the config still runs')
      for (const e of expected) {
        const w = result.warnings.find((p) => p.location?.path === e.path)
        assert.ok(
          w,
          `warning at ${e.path}; got ${JSON.stringify(result.warnings.map((p) => p.location?.path))}`,
        )
        assert.match(w.message, new RegExp(e.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        assert.ok(w.hint?.includes(e.hint), `hint for ${e.path}: ${w.hint}`)
      }
      assert.equal(
        result.warnings.length,
        expected.length,
        'no other warnings (comments and far-off keys are silent)',
      )
      assert.doesNotThrow(() => loadGatewayConfig(file))
      assert.throws(
        () => loadGatewayConfig(file, { lint: true }),
        (error: unknown) => isGwError(error) && error.problems.length === expected.length,
      )
    })
  }
})

describe('valid configs', () => {
  test('good/full.yaml validates cleanly with defaults and extra_config applied', () => {
    const result = checkGatewayConfigFile(join(fixtures, 'good', 'full.yaml'))
    assert.deepEqual(result.errors, [])
    assert.deepEqual(result.warnings, [])
    const config = result.config
    assert.ok(config)
    assert.equal(config.name, 'shop rev-1234567')
    assert.equal(config.timeoutMs, 3000)
    assert.equal(config.logging.level, 'WARNING')
    assert.equal(config.logging.format, 'json')
    assert.equal(config.runtime.workers, 2)
    assert.equal(config.runtime.drainGraceMs, 2000)
    assert.equal(config.runtime.metricsPort, 9091)
    assert.equal(config.server.maxBodyBytes, 1048576)
    const [users, raw, chain] = config.endpoints
    assert.deepEqual(users?.backends[0]?.hosts, ['http://127.0.0.1:19'])
    assert.equal(users?.backends[1]?.returnErrorDetails, 'orders')
    assert.equal(users?.timeoutMs, 3000)
    assert.equal(raw?.noop, true)
    assert.equal(chain?.sequential, true)
  })
  test('the validator is pure: it works on a plain object without a file', () => {
    const result = validateGatewayConfig({
      version: 3,
      name: 'x',
      endpoints: [{ endpoint: '/a', backend: [{ host: ['svc:8080'], url_pattern: '/a' }] }],
    })
    assert.deepEqual(result.errors, [])
    assert.deepEqual(result.config?.endpoints[0]?.backends[0]?.hosts, ['http://svc:8080'])
    const bad = validateGatewayConfig({ version: 3, endpoints: [{ endpoint: '/a', backend: [] }] })
    assert.equal(bad.errors[0]?.location?.path, 'endpoints[0].backend')
  })
  test('a config with any error is not returned, and root keys are placed at their own path', () => {
    const result = validateGatewayConfig({
      version: 3,
      name: ['x'],
      listen_ip: {},
      debug_endpoint: 'yes',
      endpoints: [],
    })
    assert.equal(result.config, undefined)
    assert.deepEqual(
      result.errors.map((e) => e.location?.path),
      ['name', 'listen_ip', 'debug_endpoint'],
    )
  })
  test('every problem is reported, not only the first', () => {
    const result = validateGatewayConfig({
      version: 2,
      endpoints: [
        { endpoint: '/__health', backend: [{ host: ['x'], url_pattern: '/a' }] },
        { endpoint: '/b', backend: [] },
      ],
    })
    assert.ok(result.errors.length >= 3, JSON.stringify(result.errors))
  })
  test('timeouts longer than a Node timer holds (24.8 days) wait 24.8 days, with a warning; cache_ttl keeps its value', () => {
    const result = validateGatewayConfig({
      version: 3,
      name: 'long waits',
      timeout: '1000h',
      read_timeout: '8760h',
      endpoints: [
        {
          endpoint: '/a',
          cache_ttl: '1000h',
          backend: [{ host: ['svc:8080'], url_pattern: '/a' }],
        },
      ],
    })
    assert.deepEqual(result.errors, [])
    const max = 2 ** 31 - 1
    assert.equal(result.config?.timeoutMs, max)
    assert.equal(result.config?.server.readTimeoutMs, max)
    assert.equal(result.config?.endpoints[0]?.timeoutMs, max)
    assert.equal(result.config?.endpoints[0]?.cacheTtlMs, 3_600_000_000, 'a Cache-Control value, not a timer')
    assert.deepEqual(
      result.warnings.map((w) => w.location?.path),
      ['timeout', 'read_timeout'],
    )
  })
  test("lura's max_shutdown_wait_time bounds the drain unless gwdeploy/runtime sets drain_timeout", () => {
    const drain = (extra: Record<string, unknown>) =>
      validateGatewayConfig({ version: 3, endpoints: [], ...extra }).config?.runtime.drainTimeoutMs
    // lura's Shutdown has no deadline at 0 (unset): in-flight requests are waited for as long as a timer holds.
    assert.equal(drain({}), MAX_TIMER_MS)
    assert.equal(drain({ max_shutdown_wait_time: '12s' }), 12_000)
    assert.equal(drain({ max_shutdown_wait_time: '0s' }), MAX_TIMER_MS)
    assert.equal(
      drain({ max_shutdown_wait_time: '12s', extra_config: { 'gwdeploy/runtime': { drain_timeout: '3s' } } }),
      3_000,
    )
  })
  test('durations and hosts', () => {
    assert.equal(parseDuration('1m30s'), 90_000)
    assert.equal(parseDuration('1500ms'), 1500)
    assert.equal(parseDuration('250us'), 0.25)
    assert.equal(parseDuration('3 s'), undefined)
    assert.equal(parseDuration('0'), 0)
    assert.equal(normaliseHost('svc:8080'), 'http://svc:8080')
    assert.equal(normaliseHost('https://svc'), 'https://svc')
    assert.equal(normaliseHost('http://svc/path'), undefined)
    assert.equal(normaliseHost('http://user:pw@svc'), undefined)
  })
})

test('backend/http/client: send_body_on_redirect is read; KrakenD Enterprise options are refused, not ignored', () => {
  const backend = (options: Record<string, unknown>) => ({
    version: 3,
    endpoints: [
      {
        endpoint: '/a',
        backend: [
          { host: ['http://x'], url_pattern: '/a', extra_config: { 'backend/http/client': options } },
        ],
      },
    ],
  })
  const ok = validateGatewayConfig(backend({ send_body_on_redirect: true }))
  assert.deepEqual(ok.errors, [])
  assert.equal(ok.config?.endpoints[0]?.backends[0]?.components?.httpClient?.sendBodyOnRedirect, true)
  const refused = validateGatewayConfig(backend({ send_body_on_redirect: true, no_redirect: true }))
  assert.equal(
    refused.errors[0]?.location?.path,
    'endpoints[0].backend[0].extra_config.backend/http/client.no_redirect',
  )
  assert.match(refused.errors[0]?.message ?? '', /KrakenD Enterprise option/)
})

describe('names JavaScript objects carry (constructor, toString, __proto__) are names like any other', () => {
  const config = (parts: { service?: string; endpoint?: string; backend?: string; top?: string }) =>
    `{"version":3,"name":"x",${parts.top ?? ''}"extra_config":{${parts.service ?? ''}},"endpoints":[{"endpoint":"/a","extra_config":{${parts.endpoint ?? ''}},"backend":[{"host":["http://127.0.0.1:19"],"url_pattern":"/","extra_config":{${parts.backend ?? ''}}}]}]}`

  test('an extra_config namespace so named is an unknown namespace, ignored as KrakenD ignores it', () => {
    for (const parts of [
      { service: '"constructor":{"a":1}' },
      { service: '"toString":{}' },
      { endpoint: '"hasOwnProperty":{}' },
      { backend: '"valueOf":{}' },
    ]) {
      // It used to throw (the namespace registry found Object.prototype's member): exit 1, not a check.
      const result = checkGatewayConfigText(config(parts), 'gateway.json')
      assert.deepEqual(result.errors, [], JSON.stringify(parts))
      assert.ok(result.config, JSON.stringify(parts))
    }
  })

  test('a top-level or endpoint key so named is not reported as a KrakenD v2 key', () => {
    const result = checkGatewayConfigText(config({ top: '"constructor":1,"toString":"x",' }), 'gateway.json')
    assert.deepEqual(result.errors, [])
    assert.equal(
      result.warnings.some((w) => w.message.includes('v2 key')),
      false,
      JSON.stringify(result.warnings),
    )
  })

  test('a `__proto__` key in the file is a key: what it holds configures nothing', () => {
    const text = config({ service: '"__proto__":{"security/cors":{"allow_origins":["https://a"]}}' }).replace(
      '"url_pattern":"/"',
      '"url_pattern":"/","__proto__":{"encoding":"xml"}',
    )
    const result = checkGatewayConfigText(text, 'gateway.json')
    assert.deepEqual(result.errors, [])
    assert.equal(result.config?.endpoints[0]?.backends[0]?.encoding, 'json')
    assert.equal(JSON.stringify(result.config).includes('cors'), false)
  })
})

describe("keys in another case: read as KrakenD's Go decoders read them, refused, or warned about where KrakenD ignores them", () => {
  const errorsOf = (text: string) =>
    checkGatewayConfigText(text, 'gateway.json').errors.map((e) => [e.location?.path, e.message] as const)

  test('service, endpoint and backend keys (lura decodes them with mapstructure, which folds case): read, or ignored beside the exact key', () => {
    const text =
      '{"version":3,"name":"x","Timeout":"1s","endpoints":[{"endpoint":"/a","Method":"POST","backend":[{"host":["http://127.0.0.1:19"],"URL_Pattern":"/x","url_pattern":"/"}]}]}'
    // mapstructure takes the exact key: "URL_Pattern" beside it is ignored (config-router-key-case.test.ts).
    assert.deepEqual(errorsOf(text), [])
    const config = checkGatewayConfigText(text.replace('"URL_Pattern":"/x",', ''), 'gateway.json').config
    assert.equal(config?.timeoutMs, 1000)
    assert.equal(config?.endpoints[0]?.method, 'POST')
    // A problem in a key written in another case is placed at that key.
    const late = checkGatewayConfigText(
      '{"version":3,"name":"x",\n"Timeout":"soon","endpoints":[]}',
      'gateway.json',
    )
    assert.deepEqual(
      late.errors.map((e) => [e.location?.path, e.location?.line]),
      [['Timeout', 2]],
    )
  })

  test('a component key: an audience or a rate KrakenD would enforce is never silently dropped (read, or refused)', () => {
    const endpoint = (namespace: string, body: Record<string, unknown>) =>
      JSON.stringify({
        version: 3,
        name: 'x',
        endpoints: [
          {
            endpoint: '/a',
            extra_config: { [namespace]: body },
            backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/' }],
          },
        ],
      })
    // krakend-jose decodes with encoding/json: "Audience" is read as audience, here as there.
    const jwt = errorsOf(
      endpoint('auth/validator', { alg: 'HS256', jwk_url: 'https://keys.example/jwk', Audience: ['api'] }),
    )
    assert.deepEqual(jwt, [])
    // krakend-ratelimit reads exact keys: KrakenD would skip it too; a limit that looks set is refused.
    const limit = errorsOf(endpoint('qos/ratelimit/router', { Max_Rate: 1 }))
    assert.deepEqual(limit, [
      [
        'endpoints[0].extra_config.qos/ratelimit/router.Max_Rate',
        '"Max_Rate" is not "max_rate": KrakenD reads "qos/ratelimit/router" keys exactly as written and would skip it, so the setting would look applied and not be',
      ],
    ])
    // encoding/json also folds the Kelvin sign to k.
    const kelvin = errorsOf(
      endpoint('qos/ratelimit/router', { client_max_rate: 5, \u212aey: 'X-Real-IP', strategy: 'ip' }),
    )
    assert.deepEqual(
      kelvin.map(([path]) => path),
      ['endpoints[0].extra_config.qos/ratelimit/router.\u212aey'],
    )
  })

  test('validation/cel definitions (krakend-cel decodes them with encoding/json): read in any case', () => {
    const errors = errorsOf(
      JSON.stringify({
        version: 3,
        name: 'x',
        endpoints: [
          {
            endpoint: '/a',
            // Both spellings are check_expr to KrakenD (components/encoding-json-key-case.test.ts runs them;
            // two different expressions are refused there: KrakenD drops "Check_Expr" silently).
            extra_config: {
              'validation/cel': [
                { Check_Expr: "req_method == 'GET'" },
                { check_expr: "req_method == 'GET'", CHECK_EXPR: "req_method == 'GET'" },
              ],
            },
            backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/' }],
          },
        ],
      }),
    )
    assert.deepEqual(errors, [])
  })

  test('router options (lura decodes them with encoding/json): a payload limit is never dropped', () => {
    const result = checkGatewayConfigText(
      JSON.stringify({ version: 3, name: 'x', extra_config: { router: { Max_Payload: 10 } }, endpoints: [] }),
      'gateway.json',
    )
    assert.deepEqual(result.errors, [])
    assert.equal(result.config?.server.maxBodyBytes, 10)
  })

  test('with image.runtime krakend nothing is refused: KrakenD itself reads the file', () => {
    const result = validateGatewayConfig(
      {
        version: 3,
        name: 'x',
        Timeout: '1s',
        extra_config: { router: { Max_Payload: 1 } },
        endpoints: [
          {
            endpoint: '/a',
            extra_config: { 'auth/validator': { alg: 'HS256', jwk_url: 'https://k/j', Audience: ['a'] } },
            backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/' }],
          },
        ],
      },
      { runtime: 'krakend' },
    )
    assert.deepEqual(result.errors, [])
  })
})

test('an endpoint of a method KrakenD does not serve is read, then left out, as KrakenD leaves it out', () => {
  const config = mustConfig({
    version: 3,
    name: 'methods',
    endpoints: [
      { endpoint: '/a', method: 'head', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }] },
      { endpoint: '/a', method: 'OPTIONS', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }] },
      { endpoint: '/a', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }] },
    ],
  })
  assert.deepEqual(
    config.endpoints.map((e) => `${e.method} ${e.endpoint}`),
    ['GET /a'],
  )
  // Still validated: a broken backend of a left-out endpoint fails the config, as in KrakenD.
  const broken = validateGatewayConfig({
    version: 3,
    endpoints: [{ endpoint: '/a', method: 'HEAD', backend: [{ host: ['http://127.0.0.1:19'] }] }],
  })
  assert.ok(broken.errors.length > 0)
})
