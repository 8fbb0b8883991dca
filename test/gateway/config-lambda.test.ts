// backend/lambda's settings as krakend-lambda reads them (Go type assertions on a map): what
// KrakenD would quietly replace is refused, what it only drops is warned about.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { loadGatewayConfig } from '../../src/gateway/config/load.ts'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'

const backend = (lambda: unknown, extra: Record<string, unknown> = {}) => ({
  version: 3,
  endpoints: [
    {
      endpoint: '/f/{function}',
      backend: [
        {
          host: ['http://ignored.invalid'],
          url_pattern: '/',
          extra_config: { 'backend/lambda': lambda, ...extra },
        },
      ],
    },
  ],
})
const messages = (value: unknown) => {
  const r = validateGatewayConfig(value)
  return {
    errors: r.errors.map((p) => p.message),
    warnings: r.warnings.map((p) => p.message),
    config: r.config,
  }
}
const lambdaOf = (value: unknown) => messages(value).config?.endpoints[0]?.backends[0]?.components?.lambda

test('the settings read, with the defaults krakend-lambda takes', () => {
  assert.deepEqual(
    lambdaOf(backend({ function_name: 'f', region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' })),
    {
      functionName: 'f',
      functionParam: 'function',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:1',
    },
  )
  assert.deepEqual(lambdaOf(backend({ function_param_name: 'Function', region: null })), {
    functionParam: 'Function',
  })
  // the long name KrakenD CE maps onto backend/lambda
  const long = backend({})
  const extra = long.endpoints[0]?.backend[0]?.extra_config as Record<string, unknown>
  delete extra['backend/lambda']
  extra['github.com/devopsfaith/krakend-lambda'] = { function_name: 'g' }
  assert.deepEqual(lambdaOf(long), { functionName: 'g', functionParam: 'function' })
})

test('a value KrakenD would silently replace is refused', () => {
  for (const [settings, key] of [
    [{ function_name: 42 }, 'function_name'],
    [{ function_param_name: ['x'] }, 'function_param_name'],
    [{ function_name: 'f', region: 1 }, 'region'],
    [{ function_name: 'f', region: 'r', endpoint: true }, 'endpoint'],
  ] as const) {
    const { errors } = messages(backend(settings))
    assert.ok(
      errors.some((m) => m.startsWith(`"${key}" must be a string`)),
      `${key}: ${JSON.stringify(errors)}`,
    )
  }
  assert.ok(messages(backend('yes')).errors.some((m) => m.includes('must be an object')))
})

test('namespaces of the HTTP client beside it are refused: KrakenD never runs them on a Lambda backend', () => {
  const { errors } = messages(
    backend(
      { function_name: 'f' },
      { 'modifier/martian': { 'header.Modifier': { scope: ['request'], name: 'A', value: 'b' } } },
    ),
  )
  assert.ok(
    errors.some((m) => m.startsWith('"modifier/martian" beside "backend/lambda"')),
    JSON.stringify(errors),
  )
})

test('what KrakenD drops is dropped and said: a JSON max_retries, an endpoint without region, a lower-case param name', () => {
  const json = messages(backend({ function_name: 'f', region: 'r', max_retries: 2 }))
  assert.equal(json.config?.endpoints[0]?.backends[0]?.components?.lambda?.maxRetries, undefined)
  assert.ok(json.warnings.some((m) => m.includes('"max_retries" only as a Go int')))
  const noRegion = messages(backend({ function_name: 'f', endpoint: 'http://x' }))
  assert.equal(noRegion.config?.endpoints[0]?.backends[0]?.components?.lambda?.endpoint, undefined)
  assert.ok(noRegion.warnings.some((m) => m.includes('"endpoint" only beside "region"')))
  assert.ok(messages(backend({})).warnings.some((m) => m.includes('("function" is "Function")')))
})

const dir = mkdtempSync(join(tmpdir(), 'gw-lambda-config-'))
after(() => rmSync(dir, { recursive: true, force: true }))

test('a YAML integer max_retries is a Go int: applied (-1 is the SDK default, 3)', () => {
  const yaml = (retries: string) => {
    const file = join(dir, `r${retries}.yaml`)
    writeFileSync(
      file,
      `version: 3\nendpoints:\n  - endpoint: /f\n    backend:\n      - host: ["http://ignored.invalid"]\n        url_pattern: /\n        extra_config:\n          backend/lambda:\n            function_name: f\n            region: r\n            max_retries: ${retries}\n`,
    )
    return loadGatewayConfig(file).config.endpoints[0]?.backends[0]?.components?.lambda?.maxRetries
  }
  assert.equal(yaml('0'), 0)
  assert.equal(yaml('5'), 5)
  assert.equal(yaml('-1'), 3)
  assert.equal(yaml('2.0'), undefined)
})

test('a no-op endpoint is refused: KrakenD would invoke the function and drop its answer (200, empty body)', () => {
  const config = backend({ function_name: 'f' })
  const ep = config.endpoints[0] as Record<string, unknown>
  ep.output_encoding = 'no-op'
  ;(ep.backend as Array<Record<string, unknown>>)[0] = {
    ...(ep.backend as Array<Record<string, unknown>>)[0],
    encoding: 'no-op',
  }
  const { errors } = messages(config)
  assert.ok(
    errors.some((m) => m.startsWith('"backend/lambda" on the no-op endpoint /f/{function}')),
    JSON.stringify(errors),
  )
})

// The function's numbers are Go float64s (GoFloat64), written and read as KrakenD does: these
// configs were refused while they were not (backend-lambda-float.test.ts has the answers).
test("configs where the function's float64 numbers show (CEL on resp_data, XML/YAML, resp0_ params) are accepted", () => {
  const lambdaBackend = (extra: Record<string, unknown> = {}) => ({
    host: ['http://ignored.invalid'],
    url_pattern: '/',
    extra_config: { 'backend/lambda': { function_name: 'f' }, ...extra },
  })
  const errorsOf = (endpoint: Record<string, unknown>) =>
    messages({ version: 3, endpoints: [{ endpoint: '/e', ...endpoint }] }).errors
  const celPost = { 'validation/cel': [{ check_expr: 'resp_data.n == 1.5' }] }
  assert.deepEqual(errorsOf({ backend: [lambdaBackend(celPost)] }), [])
  assert.deepEqual(errorsOf({ extra_config: celPost, backend: [lambdaBackend()] }), [])
  for (const encoding of ['xml', 'yaml', 'negotiate'])
    assert.deepEqual(errorsOf({ output_encoding: encoding, backend: [lambdaBackend()] }), [], encoding)
  assert.deepEqual(
    errorsOf({
      extra_config: { proxy: { sequential: true } },
      backend: [lambdaBackend(), { host: ['http://b.invalid'], url_pattern: '/x/{resp0_n}' }],
    }),
    [],
  )
})

// KrakenD 2.13.8 on moto: a Lambda backend with "encoding": "no-op" under a JSON endpoint answers
// the function's data (krakend-lambda never reads the encoding), as this runtime does.
test('a Lambda backend\'s "encoding": "no-op" is not warned about: krakend-lambda ignores it', () => {
  const config = backend({ function_name: 'f' })
  const ep = config.endpoints[0] as Record<string, unknown>
  ;(ep.backend as Array<Record<string, unknown>>)[0] = {
    ...(ep.backend as Array<Record<string, unknown>>)[0],
    encoding: 'no-op',
  }
  const { errors, warnings } = messages(config)
  assert.deepEqual(errors, [])
  assert.deepEqual(
    warnings.filter((m) => m.includes('no-op')),
    [],
  )
})
