import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GatewayMetrics } from '../../../src/gateway/metrics.ts'
import { addTraffic, trafficFromMetrics } from '../../../src/providers/kubernetes/metrics.ts'

test("requests and 5xx answers are read from the gateway's own /metrics text", async () => {
  const metrics = new GatewayMetrics('payments rev-0123456', 'test')
  const ping = metrics.endpoint('/v1/ping', 'GET')
  const users = metrics.endpoint('/v1/users/{id}', 'GET')
  const unmatched = metrics.endpoint('', '')
  for (let i = 0; i < 7; i++) ping(200, 0.001)
  for (let i = 0; i < 3; i++) ping(502, 0.001)
  users(500, 0.01)
  users(404, 0.01)
  unmatched(404, 0.0001)
  // Backend calls are counted separately and must not be added to the client-facing requests.
  metrics.backend('/v1/ping', '/ping')(0, 0.001)
  const text = await metrics.registry.metrics()
  assert.deepEqual(trafficFromMetrics(text), { requests: 13, errors: 4 })
})

test('label values with quotes, commas and braces do not confuse the status label', () => {
  const text = [
    '# HELP gateway_requests_total Requests served',
    '# TYPE gateway_requests_total counter',
    'gateway_requests_total{endpoint="/a,status=\\"500\\"}",method="GET",status="200",name="x"} 5',
    'gateway_requests_total{endpoint="/b",method="GET",status="503",name="x"} 2',
    'gateway_request_duration_seconds_count{endpoint="/b",method="GET",status="503",name="x"} 2',
    '',
  ].join('\n')
  assert.deepEqual(trafficFromMetrics(text), { requests: 7, errors: 2 })
  assert.deepEqual(trafficFromMetrics('not prometheus at all'), { requests: 0, errors: 0 })
  assert.deepEqual(addTraffic({ requests: 1, errors: 1 }, { requests: 2, errors: 0 }), {
    requests: 3,
    errors: 1,
  })
})
