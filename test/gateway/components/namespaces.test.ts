import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { classifyNamespace, NAMESPACES } from '../../../src/config/gateway-namespaces.ts'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'

const backend = (extra?: Record<string, unknown>) => ({
  host: ['http://127.0.0.1:19'],
  url_pattern: '/a',
  ...(extra ? { extra_config: extra } : {}),
})
const config = (levels: {
  service?: Record<string, unknown>
  endpoint?: Record<string, unknown>
  backend?: Record<string, unknown>
}) => ({
  version: 3,
  name: 'ns',
  ...(levels.service ? { extra_config: levels.service } : {}),
  endpoints: [
    {
      endpoint: '/a',
      ...(levels.endpoint ? { extra_config: levels.endpoint } : {}),
      backend: [backend(levels.backend)],
    },
  ],
})

describe('extra_config namespaces: enforced, refused or ignored with a warning, never silently', () => {
  test('every refused namespace is an error naming the path, the namespace and what to do', () => {
    const refused = Object.entries(NAMESPACES).filter(([, info]) => info.support === 'refused')
    assert.ok(refused.length > 20, 'the registry lists the refused components')
    for (const [ns, info] of refused) {
      const level = info.levels[0] ?? 'endpoint'
      const result = validateGatewayConfig(config({ [level]: { [ns]: {} } }), { file: 'gw.json' })
      const path =
        level === 'service'
          ? `extra_config.${ns}`
          : level === 'endpoint'
            ? `endpoints[0].extra_config.${ns}`
            : `endpoints[0].backend[0].extra_config.${ns}`
      assert.equal(result.config, undefined, `${ns} stops the config`)
      const problem = result.errors.find((e) => e.location?.path === path)
      assert.ok(problem, `${ns}: error at ${path}; got ${JSON.stringify(result.errors)}`)
      assert.equal(problem.location?.file, 'gw.json')
      assert.ok(problem.message.includes(`"${ns}"`), problem.message)
      assert.match(problem.hint ?? '', /remove it/)
      if (!info.enterprise) assert.match(problem.hint ?? '', /image\.runtime: krakend/)
    }
  })

  test('unknown namespaces under a guarding prefix are refused; a typo of one suggests the name', () => {
    for (const ns of [
      'auth/my-own',
      'security/waf',
      'qos/whatever',
      'plugin/custom',
      'modifier/x',
      'validation/y',
    ]) {
      const result = validateGatewayConfig(config({ endpoint: { [ns]: {} } }))
      assert.equal(result.errors.length, 1, ns)
      assert.match(result.errors[0]?.message ?? '', /would change who gets in or what passes/)
    }
    const typo = validateGatewayConfig(config({ endpoint: { 'auth/validater': {} } }))
    assert.match(typo.errors[0]?.hint ?? '', /did you mean "auth\/validator"/)
  })

  test('observability namespaces are ignored with a warning; traffic is unaffected', () => {
    const result = validateGatewayConfig(
      config({
        service: { 'telemetry/opentelemetry': {}, 'telemetry/metrics': {}, 'documentation/openapi': {} },
        backend: { 'telemetry/opentelemetry': {} },
      }),
    )
    assert.deepEqual(result.errors, [])
    assert.ok(result.config)
    assert.deepEqual(result.warnings.map((w) => w.location?.path).sort(), [
      'endpoints[0].backend[0].extra_config.telemetry/opentelemetry',
      'extra_config.documentation/openapi',
      'extra_config.telemetry/metrics',
      'extra_config.telemetry/opentelemetry',
    ])
    for (const w of result.warnings) assert.match(w.message, /ignored/)
  })

  test("KrakenD CE's long names are its components (lura normalises the short alias onto them): read as such", () => {
    const cors = { allow_origins: ['https://a.example'] }
    const result = validateGatewayConfig(config({ service: { 'github_com/devopsfaith/krakend-cors': cors } }))
    assert.deepEqual(result.errors, [])
    assert.deepEqual(result.config?.components?.cors?.origins, ['https://a.example'])
    // Beside its alias the long name is dropped by lura: a warning, and the short one is read.
    const both = validateGatewayConfig(
      config({
        service: { 'security/cors': cors, 'github_com/devopsfaith/krakend-cors': { allow_origins: [] } },
      }),
    )
    assert.deepEqual(
      both.warnings.map((w) => w.location?.path),
      ['extra_config.github_com/devopsfaith/krakend-cors'],
    )
    assert.deepEqual(both.config?.components?.cors?.origins, ['https://a.example'])
    // A guarding component under its long name at a level it is not read is refused at that name.
    const misplaced = validateGatewayConfig(
      config({ backend: { 'github.com/devopsfaith/krakend-jose/validator': { alg: 'HS256' } } }),
    )
    assert.deepEqual(
      misplaced.errors.map((e) => e.location?.path),
      ['endpoints[0].backend[0].extra_config.github.com/devopsfaith/krakend-jose/validator'],
    )
    // Spellings no component reads keep their warning.
    assert.equal(classifyNamespace('github_com/devopsfaith/krakend/proxy', 'endpoint').kind, 'warning')
  })

  test('Enterprise namespaces are refused on both runtimes: KrakenD CE ignores them too', () => {
    assert.equal(classifyNamespace('auth/api-keys', 'endpoint').kind, 'error')
    const krakend = classifyNamespace('auth/api-keys', 'endpoint', 'krakend')
    assert.equal(krakend.kind, 'error')
    assert.match(krakend.kind === 'error' ? krakend.message : '', /Enterprise/)
  })

  test('with image.runtime: krakend, KrakenD CE components are accepted', () => {
    const raw = config({
      service: { 'plugin/http-server': {} },
      endpoint: { 'plugin/req-resp-modifier': {} },
    })
    assert.equal(validateGatewayConfig(raw).errors.length, 2)
    assert.deepEqual(validateGatewayConfig(raw, { runtime: 'krakend' }).errors, [])
  })

  test('a guarding namespace at a level where KrakenD does not read it is an error saying where it goes', () => {
    const verdict = classifyNamespace('auth/validator', 'backend')
    assert.equal(verdict.kind, 'error')
    assert.match(
      verdict.kind === 'error' ? verdict.hint : '',
      /move it to the service or endpoint extra_config/,
    )
    assert.match(verdict.kind === 'error' ? verdict.message : '', /no effect at backend level/)
  })
})

test('the README lists every namespace with its levels and what this runtime does with it', async () => {
  const { readFile } = await import('node:fs/promises')
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8')
  const words = {
    core: 'enforced (core)',
    enforced: 'enforced',
    refused: 'refused (exit 2)',
    ignored: 'ignored, warning',
  }
  for (const [ns, info] of Object.entries(NAMESPACES)) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${ns}\` |`))
    assert.ok(row, `README row for ${ns}`)
    assert.equal(row.split('|')[2]?.trim(), info.levels.join(', '), row)
    assert.equal(row.split('|')[3]?.trim().split(' — ')[0], words[info.support], row)
  }
})

test('service-level auth/validator sets only the shared JWK cache; anything else is an error', () => {
  const shared = validateGatewayConfig(
    config({ service: { 'auth/validator': { shared_cache_duration: 60 } } }),
  )
  assert.deepEqual(shared.errors, [])
  assert.match(shared.warnings.map((w) => w.message).join('\n'), /shared JWK cache is not implemented/)
  const misplaced = validateGatewayConfig(
    config({ service: { 'auth/validator': { alg: 'RS256', roles: ['a'] } } }),
  )
  assert.deepEqual(
    misplaced.errors.map((e) => e.location?.path),
    ['extra_config.auth/validator.alg', 'extra_config.auth/validator.roles'],
  )
})
