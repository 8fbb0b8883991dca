// Guards on backend/lambda as KrakenD 2.13.8 runs them (krakend-ce backend_factory.go: validation/cel,
// modifier/lua-backend, qos/ratelimit/proxy and qos/circuit-breaker wrap krakend-lambda's proxy),
// against moto's Lambda running the function in a container (lambda-moto.ts). Compared with KrakenD on
// the same moto: see the commit messages.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { type MotoInfo, requireMoto } from '../helpers/services.ts'
import { type Hs256Issuer, hs256Issuer } from './components/hs256-issuer.ts'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'
import { createFunction, requireLambdaImages } from './lambda-moto.ts'

const fnTag = randomBytes(4).toString('hex')
const FUNCTION = `// ${fnTag}
export const handler = async (event) => ({ received: event })
`

let moto: MotoInfo
let gw: Running
let issuer: Hs256Issuer
const fn = `gw-lambda-guards-${fnTag}`

before(async () => {
  moto = await requireMoto()
  issuer = await hs256Issuer()
  await requireLambdaImages()
  assert.match(await createFunction(moto, fn, FUNCTION, { probe: 1 }), /"received":\{"probe":1\}/)
  process.env.AWS_ACCESS_KEY_ID = moto.credentials.accessKeyId
  process.env.AWS_SECRET_ACCESS_KEY = moto.credentials.secretAccessKey
  const lambda = (extra: Record<string, unknown>) => ({
    host: ['http://ignored.invalid'],
    url_pattern: '/ignored',
    extra_config: {
      'backend/lambda': { region: moto.region, endpoint: moto.endpoint, function_name: fn },
      ...extra,
    },
  })
  const backendCel = (check_expr: string) => lambda({ 'validation/cel': [{ check_expr }] })
  gw = await startGateway(
    mustConfig({
      version: 3,
      // moto starts a container per Invoke: seconds on a busy machine
      timeout: '30s',
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        { endpoint: '/status-200', backend: [backendCel('resp_metadata_status == 200')] },
        { endpoint: '/status-0', backend: [backendCel('resp_metadata_status == 0')] },
        {
          endpoint: '/jwt',
          extra_config: {
            'auth/validator': issuer.validator(),
          },
          backend: [{ ...lambda({}), url_pattern: '/ignored/{JWT.sub}/{JWT.tenant}' }],
        },
        {
          endpoint: '/lua-names/{function}',
          backend: [
            {
              host: ['http://ignored.invalid'],
              url_pattern: '/ignored',
              extra_config: {
                'backend/lambda': {
                  region: moto.region,
                  endpoint: moto.endpoint,
                  function_param_name: 'Function',
                },
                'modifier/lua-backend': {
                  pre: `local r = request.load(); r:params('Function', '${fn}'); r:params('Extra', 'e')`,
                },
              },
            },
          ],
        },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  await issuer?.remove()
})

test("a backend's validation/cel sees krakend-lambda's status 200 (the check on 0 refuses the answer)", async () => {
  const passes = await send(gw.url, { path: '/status-200' })
  assert.equal(passes.status, 200, passes.text)
  assert.equal(passes.text, '{"received":{}}')
  const refused = await send(gw.url, { path: '/status-0' })
  assert.equal(refused.status, 500, refused.text)
  assert.equal(refused.text, 'request aborted by evaluator #0')
})

test("a modifier/lua-backend script's params reach krakend-lambda: the function it names, the payload it left", async () => {
  const res = await send(gw.url, { path: '/lua-names/absent-function' })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.text, `{"received":{"extra":"e","function":"${fn}"}}`)
})

test('a {JWT.x} param whose claim the token lacks is not in the GET payload, as lura has no such param', async () => {
  const res = await send(gw.url, {
    path: '/jwt',
    headers: { authorization: `Bearer ${await issuer.token({ sub: 'bob' })}` },
  })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.text, '{"received":{"jwt.sub":"bob"}}')
})
