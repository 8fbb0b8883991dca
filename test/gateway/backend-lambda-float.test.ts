// A Lambda function's numbers are Go float64s (krakend-lambda decodes the answer with
// json.Unmarshal), where an HTTP backend's are json.Number texts: XML and YAML write them as Go
// floats, CEL sees doubles, lura hands them on to a sequential backend as FormatFloat(n, 'E', -1, 32),
// and one beyond float64 fails the call. Each expectation is KrakenD 2.13.8's answer on the same
// moto (scripts/krakend-diff/suites/lambda-float: 1 of 33 cases differ, a Lua header list, against
// 26 before). The function answers with the text of the client body's "raw", verbatim.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { type MotoInfo, requireMoto } from '../helpers/services.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'
import { createFunction, requireLambdaImages } from './lambda-moto.ts'

const fnTag = randomBytes(4).toString('hex')
// moto's runner JSON-encodes a string answer: the text goes out as the last stdout line instead.
const FUNCTION = `// ${fnTag}
export const handler = async (event) => {
  if (typeof event.raw !== 'string') return event
  process.stdout.write('\\n' + event.raw + '\\n')
  process.exit(0)
}
`
const NUMBERS =
  '{"one":1.0,"negzero":-0,"big":12345678901234567890,"tiny":1e-7,"f32":16777217,"n":1.5,"int":42,' +
  '"list":[1.5,2,1e21],"obj":{"x":1e6,"z":{"w":-0}},"s":"1.5"}'

let moto: MotoInfo
let gw: Running
let later: TestBackend
const fn = `gw-lambda-float-${fnTag}`

before(async () => {
  moto = await requireMoto()
  await requireLambdaImages()
  assert.equal(await createFunction(moto, fn, FUNCTION, { raw: '{"probe":1.0}' }), '{"probe":1.0}')
  process.env.AWS_ACCESS_KEY_ID = moto.credentials.accessKeyId
  process.env.AWS_SECRET_ACCESS_KEY = moto.credentials.secretAccessKey
  later = await startBackend('later', { '/seen': { body: {} } })
  const lambda = (extra: Record<string, unknown> = {}) => ({
    host: ['http://ignored.invalid'],
    url_pattern: '/ignored',
    extra_config: {
      'backend/lambda': { function_name: fn, region: moto.region, endpoint: moto.endpoint },
      ...extra,
    },
  })
  const post = (endpoint: string, backend: unknown[], rest: Record<string, unknown> = {}) => ({
    endpoint,
    method: 'POST',
    backend,
    ...rest,
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      // moto starts a container per Invoke: seconds on a busy machine
      timeout: '30s',
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        post('/json', [lambda()]),
        post('/xml', [lambda()], { output_encoding: 'xml' }),
        post('/yaml', [lambda()], { output_encoding: 'yaml' }),
        post('/cel', [
          lambda({ 'validation/cel': [{ check_expr: 'resp_data.n == 1.5 && resp_data.obj.x > 1.0' }] }),
        ]),
        post('/cel-text', [lambda({ 'validation/cel': [{ check_expr: "resp_data.n == '1.5'" }] })]),
        post(
          '/seq',
          [
            lambda(),
            {
              host: [later.origin],
              method: 'GET',
              url_pattern:
                '/seen/{resp0_n}/{resp0_big}/{resp0_negzero}/{resp0_f32}/{resp0_int}/{resp0_s}/{resp0_list}/{resp0_obj}',
            },
          ],
          { extra_config: { proxy: { sequential: true } } },
        ),
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  await later?.close()
})

const answer = (path: string, raw: string) =>
  send(gw.url, { method: 'POST', path, headers: { 'content-type': 'application/json' }, body: { raw } })

test("XML writes the function's numbers as fmt's %v of a float64", async () => {
  const res = await answer('/xml', NUMBERS)
  assert.equal(res.status, 200, res.text)
  assert.equal(
    res.text,
    '<doc><big>1.2345678901234567e+19</big><f32>1.6777217e+07</f32><int>42</int><list>1.5</list><list>2</list><list>1e+21</list><n>1.5</n><negzero>-0</negzero><obj><x>1e+06</x><z><w>-0</w></z></obj><one>1</one><s>1.5</s><tiny>1e-07</tiny></doc>',
  )
})

test('YAML writes them as goccy writes a float64 (1.0, -0.0, 1e+06), the string as a string', async () => {
  const res = await answer('/yaml', NUMBERS)
  assert.equal(res.status, 200, res.text)
  assert.equal(
    res.text,
    'big: 1.2345678901234567e+19\nf32: 1.6777217e+07\nint: 42.0\nlist:\n- 1.5\n- 2.0\n- 1e+21\n"n": 1.5\nnegzero: -0.0\nobj:\n  x: 1e+06\n  z:\n    w: -0.0\none: 1.0\ns: "1.5"\ntiny: 1e-07\n',
  )
})

test('JSON writes them as encoding/json writes a float64', async () => {
  const res = await answer('/json', NUMBERS)
  assert.equal(res.status, 200, res.text)
  assert.equal(
    res.text,
    '{"big":12345678901234567000,"f32":16777217,"int":42,"list":[1.5,2,1e+21],"n":1.5,"negzero":-0,"obj":{"x":1000000,"z":{"w":-0}},"one":1,"s":"1.5","tiny":1e-7}',
  )
})

test('CEL reads them as doubles: a number check passes, a text comparison aborts', async () => {
  const res = await answer('/cel', NUMBERS)
  assert.equal(res.status, 200, res.text)
  const text = await answer('/cel-text', NUMBERS)
  assert.equal(text.status, 500)
  assert.equal(text.text, 'request aborted by evaluator #0')
})

test("a sequential backend gets them as strconv.FormatFloat(n, 'E', -1, 32), a list's and a map's with %v", async () => {
  later.seen.length = 0
  const res = await answer('/seq', NUMBERS)
  assert.equal(res.status, 200, res.text)
  assert.deepEqual(
    later.seen.map((r) => r.url),
    [
      '/seen/1.5E+00/1.2345679E+19/-0E+00/1.6777216E+07/4.2E+01/1.5/1.5,2,1e+21/map%5Bx:1e+06%20z:map%5Bw:-0%5D%5D',
    ],
  )
})

test("a number beyond float64 fails the call with json.Unmarshal's error", async () => {
  const res = await answer('/json', '{"a":[1,{"b":-1E999}],"c":1e400}')
  assert.equal(res.status, 500)
  assert.equal(res.text, 'json: cannot unmarshal number -1E999 into Go value of type float64')
})
