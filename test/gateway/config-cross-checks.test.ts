// The checks that need the whole config (one worker process beside a consumer, a revoker's settings,
// shared cache sizes...) run beside the other problems: every problem of a config in one run.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'

const consumer = {
  endpoint: '/m',
  backend: [
    {
      host: ['amqp://u:pw@rabbit:5672'],
      disable_host_sanitize: true,
      url_pattern: '/',
      extra_config: { 'backend/amqp/consumer': { name: 'q', exchange: 'x', routing_key: ['k'] } },
    },
  ],
}
const config = (broken: Record<string, unknown>) => ({
  version: 3,
  extra_config: { 'gwdeploy/runtime': { workers: 4 } },
  endpoints: [
    consumer,
    { endpoint: '/other', backend: [{ host: ['http://svc'], url_pattern: '/' }], ...broken },
  ],
})
const paths = (value: unknown) => validateGatewayConfig(value).errors.map((e) => e.location?.path)
const WORKERS = 'extra_config.gwdeploy/runtime.workers'

test('several workers beside an AMQP consumer are reported beside another endpoint’s problem', () => {
  assert.deepEqual(paths(config({})), [WORKERS])
  assert.deepEqual(paths(config({ timeout: 'soon' })), ['endpoints[1].timeout', WORKERS])
  assert.deepEqual(paths(config({ backend: 'x' })), ['endpoints[1].backend', WORKERS])
})

test('a config with errors gives no config, whatever the cross checks find', () => {
  assert.equal(validateGatewayConfig(config({ timeout: 'soon' })).config, undefined)
  assert.equal(
    validateGatewayConfig({ version: 3, endpoints: [{ ...consumer, timeout: 'soon' }] }).config,
    undefined,
  )
})
