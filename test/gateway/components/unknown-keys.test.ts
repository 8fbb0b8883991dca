/**
 * Unknown keys inside component namespaces: a likely typo of a setting the namespace lacks is an
 * error (the guard would run without it), any other unknown key a warning; KrakenD's documented
 * keys never count as unknown.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { closestKey, editDistance } from '../../../src/config/suggest.ts'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'

const config = (levels: {
  service?: Record<string, unknown>
  endpoint?: Record<string, unknown>
  backend?: Record<string, unknown>
  backendKeys?: Record<string, unknown>
}) => ({
  version: 3,
  name: 'keys',
  ...(levels.service ? { extra_config: levels.service } : {}),
  endpoints: [
    {
      endpoint: '/a',
      ...(levels.endpoint ? { extra_config: levels.endpoint } : {}),
      backend: [
        {
          host: ['http://127.0.0.1:19'],
          url_pattern: '/a',
          ...levels.backendKeys,
          ...(levels.backend ? { extra_config: levels.backend } : {}),
        },
      ],
    },
  ],
})
const VALIDATOR = { alg: 'HS256', jwk_local_path: 'keys/jwk.json', disable_jwk_security: true }
const at = (ns: string, key: string) => `endpoints[0].extra_config.${ns}.${key}`
const problemAt = <P extends { location?: { path?: string } }>(list: P[], path: string): P | undefined =>
  list.find((p) => p.location?.path === path)

describe('unknown keys inside component namespaces', () => {
  test('typos of absent auth/validator and rate-limit settings are errors with "did you mean"', () => {
    const result = validateGatewayConfig(
      config({
        endpoint: {
          'auth/validator': { ...VALIDATOR, rols: ['admin'], roles_kye: 'roles' },
          'qos/ratelimit/router': { max_rat: 10, client_max_rat: 3, strategy: 'ip' },
        },
      }),
      { file: 'gw.json' },
    )
    assert.equal(result.config, undefined)
    for (const [ns, key, meant] of [
      ['auth/validator', 'rols', 'roles'],
      ['auth/validator', 'roles_kye', 'roles_key'],
      ['qos/ratelimit/router', 'max_rat', 'max_rate'],
      ['qos/ratelimit/router', 'client_max_rat', 'client_max_rate'],
    ] as const) {
      const problem = problemAt(result.errors, at(ns, key))
      assert.ok(problem, `${key}: ${JSON.stringify(result.errors)}`)
      assert.match(problem.message, new RegExp(`"${key}" in "${ns}".*"${meant}" is not set`))
      assert.equal(problem.hint, `did you mean "${meant}"?`)
    }
    assert.equal(result.errors.length, 4, JSON.stringify(result.errors))
  })

  test('a typo beside the key it resembles, and keys resembling nothing, are warnings', () => {
    const result = validateGatewayConfig(
      config({
        endpoint: {
          'auth/validator': { ...VALIDATOR, roles: ['admin'], rols: ['x'], vendor_note: 'x' },
          'qos/ratelimit/router': { max_rate: 10, '@comment': 'x', $id: 'y', _x: 1, '#y': 2 },
        },
      }),
    )
    assert.deepEqual(result.errors, [])
    const rols = problemAt(result.warnings, at('auth/validator', 'rols'))
    assert.equal(rols?.hint, 'did you mean "roles"?')
    const vendor = problemAt(result.warnings, at('auth/validator', 'vendor_note'))
    assert.match(vendor?.message ?? '', /unknown key "vendor_note" in "auth\/validator" is ignored/)
    assert.ok(!result.warnings.some((w) => /comment|\$id|_x|#y/.test(w.location?.path ?? '')))
  })

  test('every component read through Fields reports them, at every level', () => {
    const cases: Array<[level: 'service' | 'endpoint' | 'backend', ns: string, body: object, key: string]> = [
      ['service', 'security/cors', { allow_origins: ['*'], alow_methods: ['GET'] }, 'allow_methods'],
      ['service', 'security/http', { allowed_hosts: [], frame_deyn: true }, 'frame_deny'],
      ['endpoint', 'security/bot-detector', { allow: [], dney: ['curl'] }, 'deny'],
      ['backend', 'qos/circuit-breaker', { interval: 60, timeout: 10, max_erorrs: 1 }, 'max_errors'],
      ['backend', 'qos/ratelimit/proxy', { max_rtae: 1 }, 'max_rate'],
      ['endpoint', 'modifier/lua-proxy', { pre: 'print(1)', sorces: ['x.lua'] }, 'sources'],
    ]
    for (const [level, ns, body, meant] of cases) {
      const result = validateGatewayConfig(config({ [level]: { [ns]: body } }))
      const error = result.errors.find((e) => e.hint === `did you mean "${meant}"?`)
      assert.ok(error, `${ns}: ${JSON.stringify(result.errors)}`)
      assert.match(error.message, new RegExp(`in "${ns}"`))
    }
  })

  test('a backend "deyn" (transposed letters) is refused: deny would filter nothing', () => {
    const result = validateGatewayConfig(config({ backendKeys: { deyn: ['password_hash'] } }))
    const problem = problemAt(result.errors, 'endpoints[0].backend[0].deyn')
    assert.ok(problem, JSON.stringify(result))
    assert.equal(problem.hint, 'did you mean "deny"?')
    // Beside a "deny" it is the usual warning.
    const both = validateGatewayConfig(config({ backendKeys: { deny: ['a'], deyn: ['b'] } }))
    assert.deepEqual(both.errors, [])
    assert.equal(problemAt(both.warnings, 'endpoints[0].backend[0].deyn')?.hint, 'did you mean "deny"?')
  })

  test('keys in another case are reported once, or read where Go folds case (both runtimes)', () => {
    const exact = validateGatewayConfig(
      config({ endpoint: { 'qos/ratelimit/router': { max_rate: 1, Max_Rate: 2 } } }),
    )
    assert.equal(exact.errors.length, 1, JSON.stringify(exact.errors))
    const bundled = validateGatewayConfig(
      config({ endpoint: { 'auth/validator': { ...VALIDATOR, Roles: ['a'], rols: ['b'] } } }),
    )
    assert.deepEqual(
      bundled.errors.map((e) => e.location?.path),
      [at('auth/validator', 'rols')],
    )
    const krakend = validateGatewayConfig(
      config({ endpoint: { 'auth/validator': { ...VALIDATOR, Roles: ['a'], rols: ['b'] } } }),
      { runtime: 'krakend' },
    )
    assert.deepEqual(
      krakend.errors.map((e) => e.location?.path),
      [at('auth/validator', 'rols')],
    )
  })

  test('problems a parser reports itself are not reported again as unknown keys', () => {
    const shared = validateGatewayConfig(config({ service: { 'auth/validator': { roles: ['a'] } } }))
    assert.equal(shared.errors.length, 1, JSON.stringify(shared.errors))
    const client = validateGatewayConfig(
      config({ backend: { 'backend/http/client': { no_redirect: true } } }),
    )
    assert.equal(client.errors.length, 1, JSON.stringify(client.errors))
    assert.equal(client.warnings.length, 0, JSON.stringify(client.warnings))
  })

  test("KrakenD's documented keys of each namespace are never unknown", () => {
    // krakend-schema v2.13, the CE keys of each namespace this runtime enforces.
    const documented: Array<[level: 'service' | 'endpoint' | 'backend', ns: string, keys: string[]]> = [
      [
        'endpoint',
        'auth/validator',
        [
          'alg',
          'audience',
          'auth_header_name',
          'cache',
          'cache_duration',
          'cipher_suites',
          'cookie_key',
          'disable_jwk_security',
          'failed_jwk_key_cooldown',
          'issuer',
          'jwk_fingerprints',
          'jwk_local_ca',
          'jwk_local_path',
          'jwk_url',
          'key_identify_strategy',
          'leeway',
          'operation_debug',
          'propagate_claims',
          'propagate_claims_preserve_array',
          'roles',
          'roles_key',
          'roles_key_is_nested',
          'scopes',
          'scopes_key',
          'scopes_matcher',
        ],
      ],
      [
        'endpoint',
        'auth/signer',
        [
          'alg',
          'cipher_suites',
          'disable_jwk_security',
          'full',
          'jwk_fingerprints',
          'jwk_local_ca',
          'jwk_local_path',
          'jwk_url',
          'keys_to_sign',
          'kid',
          'leeway',
        ],
      ],
      [
        'backend',
        'auth/client-credentials',
        ['client_id', 'client_secret', 'endpoint_params', 'scopes', 'token_url', 'is_disabled'],
      ],
      [
        'endpoint',
        'qos/ratelimit/router',
        [
          'capacity',
          'cleanup_period',
          'cleanup_threads',
          'client_capacity',
          'client_max_rate',
          'every',
          'key',
          'max_rate',
          'num_shards',
          'strategy',
        ],
      ],
      ['backend', 'qos/ratelimit/proxy', ['capacity', 'every', 'max_rate']],
      [
        'service',
        'security/cors',
        [
          'allow_credentials',
          'allow_headers',
          'allow_methods',
          'allow_origins',
          'allow_private_network',
          'debug',
          'expose_headers',
          'max_age',
          'options_passthrough',
          'options_success_status',
        ],
      ],
      [
        'service',
        'security/http',
        [
          'allowed_hosts',
          'allowed_hosts_are_regex',
          'browser_xss_filter',
          'content_security_policy',
          'content_type_nosniff',
          'custom_frame_options_value',
          'force_sts_header',
          'frame_deny',
          'host_proxy_headers',
          'is_development',
          'referrer_policy',
          'ssl_host',
          'ssl_proxy_headers',
          'ssl_redirect',
          'sts_include_subdomains',
          'sts_seconds',
        ],
      ],
      [
        'endpoint',
        'security/bot-detector',
        ['allow', 'cache_size', 'deny', 'empty_user_agent_is_bot', 'patterns'],
      ],
      ['backend', 'qos/circuit-breaker', ['interval', 'log_status_change', 'max_errors', 'name', 'timeout']],
      [
        'endpoint',
        'modifier/lua-proxy',
        ['allow_open_libs', 'live', 'md5', 'post', 'pre', 'skip_next', 'sources'],
      ],
      [
        'backend',
        'modifier/lua-backend',
        ['allow_open_libs', 'live', 'md5', 'post', 'pre', 'skip_next', 'sources'],
      ],
      [
        'endpoint',
        'modifier/lua-endpoint',
        ['allow_open_libs', 'live', 'md5', 'post', 'pre', 'skip_next', 'sources'],
      ],
      ['backend', 'backend/graphql', ['type', 'operationName', 'query', 'query_path', 'variables', 'method']],
    ]
    for (const [level, ns, keys] of documented) {
      // Values of the wrong type are fine here: only "unknown key" problems count.
      const body = Object.fromEntries(keys.map((k) => [k, 'x']))
      const result = validateGatewayConfig(config({ [level]: { [ns]: body } }))
      const unknown = [...result.errors, ...result.warnings].filter((p) => /unknown key/.test(p.message))
      assert.deepEqual(unknown, [], ns)
    }
  })

  test('hpkp_public_key and qos/http-cache keys KrakenD ignores are warnings', () => {
    const result = validateGatewayConfig(
      config({
        service: { 'security/http': { hpkp_public_key: 'pin-sha256="x"' } },
        backend: { 'qos/http-cache': { max_size: 1000, max_itmes: 10 } },
      }),
    )
    assert.deepEqual(result.errors, [])
    assert.match(
      problemAt(result.warnings, 'extra_config.security/http.hpkp_public_key')?.message ?? '',
      /HPKP/,
    )
    const cache = problemAt(result.warnings, 'endpoints[0].backend[0].extra_config.qos/http-cache.max_itmes')
    assert.equal(cache?.hint, 'did you mean "max_items"?')
  })
})

describe('unknown fields of modifier/martian modifiers Go reads on without', () => {
  const filter = (body: Record<string, unknown>) =>
    validateGatewayConfig(
      config({
        backend: {
          'modifier/martian': {
            'header.Filter': {
              scope: ['request'],
              name: 'X-Role',
              ...body,
              modifier: { 'header.Modifier': { scope: ['request'], name: 'X-Admin', value: '1', note: 'x' } },
            },
          },
        },
      }),
    )
  const at = 'endpoints[0].backend[0].extra_config.modifier/martian.header.Filter'

  test('a filter\'s "vaule" is refused: the filter would match any value', () => {
    const result = filter({ vaule: 'admin' })
    const problem = result.errors.find((e) => e.location?.path === `${at}.vaule`)
    assert.ok(problem, JSON.stringify(result.errors))
    assert.equal(problem.hint, 'did you mean "value"?')
  })

  test('other unknown fields are warnings', () => {
    const result = filter({ value: 'admin' })
    assert.deepEqual(result.errors, [])
    const note = result.warnings.find((w) => w.location?.path === `${at}.modifier.header.Modifier.note`)
    assert.match(note?.message ?? '', /unknown field "note" of header.Modifier is ignored/)
  })
})

describe('closestKey: the typos "did you mean" names', () => {
  test('counts a transposition of adjacent letters as one edit', () => {
    assert.equal(editDistance('deyn', 'deny', 5), 1)
    assert.equal(editDistance('roles_kye', 'roles_key', 5), 1)
    assert.equal(editDistance('abc', 'abc', 5), 0)
    assert.equal(editDistance('kitten', 'sitting', 5), 3)
    assert.equal(editDistance('a', 'abcdefgh', 3), 3, 'capped')
    assert.equal(closestKey('deyn', ['allow', 'deny']), 'deny')
    assert.equal(closestKey('DENY', ['deny']), 'deny')
    assert.equal(closestKey('zzzz', ['deny']), undefined)
    assert.equal(closestKey('qos/ratelimit/rotuer', ['qos/ratelimit/router']), 'qos/ratelimit/router')
  })
})
