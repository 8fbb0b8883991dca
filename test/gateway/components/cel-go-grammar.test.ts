// What cel-go's grammar reads and cel-js's did not (or read otherwise), found by the seeded
// grammar differential (scripts/krakend-diff/suites/celgen.*, /tmp oracle: cel-go v0.29 with
// krakend-cel's declarations). Expected answers are KrakenD's.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

let backend: TestBackend
let gw: Running

const celEndpoint = (path: string, expr: string, host: string[]) => ({
  endpoint: path,
  input_query_strings: ['*'],
  extra_config: { 'validation/cel': [{ check_expr: expr }] },
  backend: [{ host, url_pattern: '/echo' }],
})

const ENDPOINTS: Array<[path: string, expr: string]> = [
  ['/in-cond', "req_querystring.v[0] in (req_method == 'GET' ? ['a'] : ['b'])"],
  ['/in-cond-map', "req_querystring.v[0] in (true ? {'a': 1} : {})"],
]

before(async () => {
  backend = await startBackend('api', {})
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'cel-go-grammar',
      endpoints: ENDPOINTS.map(([path, expr]) => celEndpoint(path, expr, host)),
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

const status = async (path: string) => (await send(gw.url, { path })).status

describe("validation/cel reads expressions as cel-go's grammar does", () => {
  test('`x in (c ? a : b)`: in is an operator, not a call of a function named in', async () => {
    assert.equal(await status('/in-cond?v=a'), 200)
    assert.equal(await status('/in-cond?v=b'), 500)
    assert.equal(await status('/in-cond-map?v=a'), 200)
    assert.equal(await status('/in-cond-map?v=b'), 500)
  })
})
