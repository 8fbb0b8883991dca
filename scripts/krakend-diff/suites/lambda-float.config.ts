// Dev suite: a Lambda function's numbers (Go float64: krakend-lambda's json.Unmarshal) where KrakenD
// writes or reads them: JSON, XML, YAML and negotiated output, CEL on resp_data, the sequential
// proxy's resp0_ params, target/mapping/flatmap, Lua, a backend "encoding": "no-op", and an answer
// beyond float64. The function (created in moto_server's Lambda when the suite loads, moto running it
// in the test dockerd: `scripts/services.sh start dockerd moto`, then `source .ci/state/services.env`)
// answers with the text of the client body's "raw" string, verbatim.
import { randomBytes } from 'node:crypto'
import { createFunction, requireLambdaImages } from '../../../test/gateway/lambda-moto.ts'
import { requireMoto } from '../../../test/helpers/services.ts'

const tag = randomBytes(4).toString('hex')
const fn = `krakend-diff-float-${tag}`
const moto = await requireMoto()
await requireLambdaImages()
await createFunction(
  moto,
  fn,
  // The runner JSON-encodes a string answer: the text is written as the last stdout line instead.
  `// ${tag}
export const handler = async (event) => {
  if (typeof event.raw !== 'string') return event
  process.stdout.write('\\n' + event.raw + '\\n')
  process.exit(0)
}
`,
  { raw: '{}' },
)
// Both gateways inherit them (the AWS SDKs' default chains).
process.env.AWS_ACCESS_KEY_ID = moto.credentials.accessKeyId
process.env.AWS_SECRET_ACCESS_KEY = moto.credentials.secretAccessKey

const lambda = (extra: Record<string, unknown> = {}, more: Record<string, unknown> = {}) => ({
  host: ['BACKEND'],
  url_pattern: '/ignored',
  ...more,
  extra_config: {
    'backend/lambda': { function_name: fn, region: moto.region, endpoint: moto.endpoint },
    ...extra,
  },
})

/** Backend-level CEL checks on the answer, one endpoint each (/cel/<i>). */
export const CEL_CHECKS = [
  'resp_data.n == 1.5',
  "resp_data.n == '1.5'",
  'resp_data.n > 1.0',
  'type(resp_data.n) == double',
  'resp_data.int == 42',
  'resp_data.int == 42.0',
  'resp_data.list[0] == 1.5',
  'resp_data.obj.x == 1000000.0',
  "string(resp_data.big) == '1.2345678901234567e+19'",
  "string(resp_data.n) == '1.5'",
  'resp_data.negzero == 0.0',
  'int(resp_data.n) == 1',
  "resp_data.s == '1.5'",
]

const post = (endpoint: string, backend: unknown[], rest: Record<string, unknown> = {}) => ({
  endpoint,
  method: 'POST',
  backend,
  ...rest,
})

const LUA =
  "local r = response.load(); local d = r:data(); d:set('lua_n', tostring(d:get('n'))); d:set('lua_big', tostring(d:get('big'))); d:set('lua_sum', d:get('n') + 1); d:set('lua_type', type(d:get('int'))); d:set('lua_negzero', tostring(d:get('negzero'))); r:headerList('X-List', d:get('list'))"

const LUA_SET =
  "local d = response.load():data(); d:set('two', 2); d:set('half', 2.5); d:set('n', d:get('n'))"

export const config = {
  version: 3,
  name: 'lambda-float',
  // moto starts a container per Invoke: seconds on a busy machine
  timeout: '30s',
  extra_config: { router: { return_error_msg: true } },
  endpoints: [
    post('/json', [lambda()]),
    post('/xml', [lambda()], { output_encoding: 'xml' }),
    post('/yaml', [lambda()], { output_encoding: 'yaml' }),
    post('/negotiate', [lambda()], { output_encoding: 'negotiate' }),
    post('/string', [lambda()], { output_encoding: 'string' }),
    post('/target-xml', [lambda({}, { target: 'obj', mapping: { x: 'ex' } })], { output_encoding: 'xml' }),
    post('/target-yaml', [lambda({}, { target: 'obj', mapping: { x: 'ex' } })], { output_encoding: 'yaml' }),
    post(
      '/flatmap-yaml',
      [
        lambda({
          proxy: {
            flatmap_filter: [
              { type: 'move', args: ['obj.x', 'moved'] },
              { type: 'del', args: ['list.6'] },
            ],
          },
        }),
      ],
      { output_encoding: 'yaml' },
    ),
    post('/noop-encoding', [lambda({}, { encoding: 'no-op' })]),
    post('/lua', [lambda({ 'modifier/lua-backend': { allow_open_libs: true, post: LUA } })]),
    // numbers a Lua script sets (binder's Number(): a float64 too)
    post('/lua-yaml', [lambda({ 'modifier/lua-backend': { allow_open_libs: true, post: LUA_SET } })], {
      output_encoding: 'yaml',
    }),
    post(
      '/lua-seq',
      [
        lambda({ 'modifier/lua-backend': { allow_open_libs: true, post: LUA_SET } }),
        { host: ['BACKEND'], method: 'GET', url_pattern: '/seq/{resp0_two}/{resp0_half}/{resp0_n}' },
      ],
      { extra_config: { proxy: { sequential: true } } },
    ),
    post(
      '/seq',
      [
        lambda(),
        {
          host: ['BACKEND'],
          method: 'GET',
          url_pattern:
            '/seq/{resp0_n}/{resp0_big}/{resp0_tenth}/{resp0_negzero}/{resp0_f32}/{resp0_huge}/{resp0_tiny}/{resp0_int}/{resp0_neg}/{resp0_obj.x}/{resp0_s}/{resp0_t}/{resp0_list}/{resp0_obj}',
        },
      ],
      { extra_config: { proxy: { sequential: true } } },
    ),
    // beside an HTTP backend (json.Number texts) and static data (the config's float64s)
    ...['xml', 'yaml'].map((encoding) =>
      post(
        `/merge-${encoding}`,
        [lambda(), { host: ['BACKEND'], url_pattern: '/obj', method: 'GET', group: 'http' }],
        {
          output_encoding: encoding,
          extra_config: { proxy: { static: { strategy: 'always', data: { st: 1, sf: 2.5 } } } },
        },
      ),
    ),
    post('/merge-cel', [lambda(), { host: ['BACKEND'], url_pattern: '/obj', method: 'GET', group: 'http' }], {
      extra_config: {
        'validation/cel': [
          { check_expr: "resp_data.http.f == '0.1' && resp_data.n == 1.5 && resp_data.list[1] == 2.0" },
        ],
      },
    }),
    post('/cel-endpoint', [lambda()], {
      extra_config: { 'validation/cel': [{ check_expr: "resp_data.n == 1.5 && resp_data.s == '1.5'" }] },
    }),
    ...CEL_CHECKS.map((check, i) =>
      post(`/cel/${i}`, [lambda({ 'validation/cel': [{ check_expr: check }] })]),
    ),
  ],
}
