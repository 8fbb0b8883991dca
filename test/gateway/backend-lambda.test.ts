// backend/lambda against moto's Lambda running the function in a container (lambda-moto.ts): what
// the function receives (it answers with its event) and what the client gets, as krakend-lambda
// makes the Invoke (KrakenD 2.13.8 compared on the same moto: see the commit message).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { GatewayMetrics } from '../../src/gateway/metrics.ts'
import { PromMetrics } from '../../src/gateway/metrics-prom.ts'
import { type MotoInfo, requireMoto } from '../helpers/services.ts'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'
import { createFunction, requireLambdaImages } from './lambda-moto.ts'

const fnTag = randomBytes(4).toString('hex')
const FUNCTION = `// ${fnTag}
export const handler = async (event) => {
  if (event.fail) throw new Error('boom ' + event.fail)
  if (event.shape === 'list') return [1, 2]
  if (event.shape === 'null') return null
  return { received: event, n: 1.5, big: 12345678901234567890, html: '<a&b>', secret: 'x' }
}
`

let moto: MotoInfo
let gw: Running
const metrics = new GatewayMetrics('lambda', 'test', { processMetrics: false }, () => PromMetrics)
const fn = `gw-lambda-${fnTag}`

before(async () => {
  moto = await requireMoto()
  await requireLambdaImages()
  // moto's own Invoke first: the function runs and answers with its event
  assert.match(await createFunction(moto, fn, FUNCTION, { probe: 1 }), /"received":\{"probe":1\}/)
  process.env.AWS_ACCESS_KEY_ID = moto.credentials.accessKeyId
  process.env.AWS_SECRET_ACCESS_KEY = moto.credentials.secretAccessKey
  const lambda = (settings: Record<string, unknown>) => ({
    host: ['http://ignored.invalid'],
    url_pattern: '/ignored',
    deny: ['secret'],
    extra_config: { 'backend/lambda': { region: moto.region, endpoint: moto.endpoint, ...settings } },
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      // moto starts a container per Invoke: seconds on a busy machine
      timeout: '30s',
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        {
          endpoint: '/params/{function}/{first_name}',
          backend: [lambda({ function_param_name: 'Function' })],
        },
        { endpoint: '/body', method: 'POST', backend: [lambda({ function_name: fn })] },
        { endpoint: '/nowhere', backend: [lambda({ function_name: `${fn}-absent` })] },
        { endpoint: '/unnamed/{function}', backend: [lambda({})] },
      ],
    }),
    { metrics },
  )
})

after(async () => {
  await gw?.close()
})

test('a GET backend sends the params, names lower-cased, and names the function by its lura param', async () => {
  const res = await send(gw.url, { path: `/params/${fn}/Ann%20%3CB%3E` })
  assert.equal(res.status, 200, res.text)
  // Go's float64: 1.5, 12345678901234567890 -> 12345678901234567000; deny drops "secret"
  assert.equal(
    res.text,
    `{"big":12345678901234567000,"html":"\\u003ca\\u0026b\\u003e","n":1.5,"received":{"first_name":"Ann \\u003cB\\u003e","function":"${fn}"}}`,
  )
  assert.equal(res.headers['x-krakend-completed'], 'true')
})

test('a POST backend sends the client body as it came; the answer goes through deny', async () => {
  const res = await send(gw.url, { method: 'POST', path: '/body', body: { a: [1, { b: 'c' }] } })
  assert.equal(res.status, 200, res.text)
  assert.equal(
    res.text,
    '{"big":12345678901234567000,"html":"\\u003ca\\u0026b\\u003e","n":1.5,"received":{"a":[1,{"b":"c"}]}}',
  )
})

test('a function error is an answer like any other (krakend-lambda ignores FunctionError)', async () => {
  const res = await send(gw.url, { method: 'POST', path: '/body', body: { fail: 'now' } })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.text, '{"errorMessage":"boom now","errorType":"Error"}')
})

test('an answer that is not a JSON object fails the backend; null is no data', async () => {
  const list = await send(gw.url, { method: 'POST', path: '/body', body: { shape: 'list' } })
  assert.equal(list.status, 500)
  assert.equal(list.text, 'json: cannot unmarshal array into Go value of type map[string]interface {}')
  const nil = await send(gw.url, { method: 'POST', path: '/body', body: { shape: 'null' } })
  assert.equal(nil.status, 200)
  assert.equal(nil.text, 'null')
  assert.equal(nil.headers['x-krakend-completed'], 'false')
})

test("a missing function answers the service's status (lura's StatusCode() error), worded as aws-sdk-go prints it", async () => {
  const res = await send(gw.url, { path: '/nowhere' })
  assert.equal(res.status, 404)
  assert.match(
    res.text,
    /^ResourceNotFoundException: Function not found: arn:aws:lambda:[^\n]*-absent\n\{\n {2}RespMetadata: \{\n {4}StatusCode: 404,\n {4}RequestID: "\w+"\n {2}\},\n {2}Message_: "Function not found: arn:aws:lambda:[^"]*-absent"\n\}$/,
  )
})

test('the default function_param_name ("function") finds no lura param ("Function"): nothing is invoked', async () => {
  const res = await send(gw.url, { path: `/unnamed/${fn}` })
  assert.equal(res.status, 500)
  assert.equal(
    res.text,
    'InvalidParameter: 1 validation error(s) found.\n- minimum field size of 1, InvokeInput.FunctionName.\n',
  )
})

test('each Invoke is counted in the backend metrics as an HTTP call is (the status it answered or failed with, 0 for none)', async () => {
  const text = await metrics.registry.metrics()
  const count = (endpoint: string, status: number) =>
    new RegExp(
      `^gateway_backend_requests_total\\{endpoint="${endpoint}",backend="/ignored",status="${status}",name="lambda"\\} (\\d+)$`,
      'm',
    ).exec(text)?.[1]
  // POST body, function error and null answered; the list failed to decode (no status kept)
  assert.equal(count('/body', 200), '3', text)
  assert.equal(count('/body', 0), '1', text)
  assert.equal(count('/nowhere', 404), '1', text)
  assert.equal(count('/unnamed/{function}', 0), '1', text)
})
