// KrakenD's Go AWS SDK invokes through the environment's HTTP_PROXY / HTTPS_PROXY; this runtime's
// AWS client does not, so a node whose Lambda calls a proxy would carry refuses to start (exit 2).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { refuseProxiedLambda } from '../../src/gateway/backend-lambda/start-checks.ts'
import { mustConfig } from './helpers.ts'

const config = (lambda: Record<string, unknown>) =>
  mustConfig({
    version: 3,
    endpoints: [
      {
        endpoint: '/f',
        backend: [
          { host: ['http://ignored.invalid'], url_pattern: '/', extra_config: { 'backend/lambda': lambda } },
        ],
      },
    ],
  })

test("a Lambda the environment's proxy would carry is refused at start, naming it; NO_PROXY lets it run", () => {
  const proxy = { HTTPS_PROXY: 'http://proxy.corp:3128' }
  assert.throws(
    () => refuseProxiedLambda(config({ function_name: 'f', region: 'eu-west-1' }), proxy, 'gw.json'),
    (error: Error & { location?: { path?: string } }) => {
      assert.match(
        error.message,
        /invokes its function at https:\/\/lambda\.eu-west-1\.amazonaws\.com through the proxy/,
      )
      assert.equal(error.location?.path, 'endpoints[0].backend[0].extra_config.backend/lambda')
      return true
    },
  )
  refuseProxiedLambda(
    config({ function_name: 'f', region: 'eu-west-1' }),
    { ...proxy, NO_PROXY: '.amazonaws.com' },
    'gw.json',
  )
  refuseProxiedLambda(config({ function_name: 'f', region: 'eu-west-1' }), {}, 'gw.json')
})

test('the region and endpoint are the ones the Go session calls', () => {
  const proxy = { HTTP_PROXY: 'http://proxy.corp:3128', HTTPS_PROXY: 'http://proxy.corp:3128' }
  // region from the environment; an endpoint beside a region
  assert.throws(
    () =>
      refuseProxiedLambda(config({ function_name: 'f' }), { ...proxy, AWS_REGION: 'us-east-2' }, undefined),
    /lambda\.us-east-2\.amazonaws\.com/,
  )
  assert.throws(
    () =>
      refuseProxiedLambda(
        config({ function_name: 'f', region: 'x', endpoint: 'http://lambda.internal:9000' }),
        proxy,
        undefined,
      ),
    /http:\/\/lambda\.internal:9000/,
  )
  // no region for the Go session: every call fails with MissingRegion, proxy or not
  refuseProxiedLambda(config({ function_name: 'f' }), proxy, undefined)
  // Go's proxy rules never proxy a loopback endpoint
  refuseProxiedLambda(
    config({ function_name: 'f', region: 'x', endpoint: 'http://127.0.0.1:5002' }),
    proxy,
    undefined,
  )
})
