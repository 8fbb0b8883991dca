// A node serves before prom-client loads (runtime.ts loads it just after): what it records until
// then is counted once prom-client is there, and recording alone never loads it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GatewayMetrics } from '../../src/gateway/metrics.ts'
import { PromMetrics } from '../../src/gateway/metrics-prom.ts'

test('requests recorded before prom-client loads are counted once it does, in order, and after', async () => {
  let loads = 0
  const metrics = new GatewayMetrics('shop', 'test', { processMetrics: false }, () => {
    loads += 1
    return PromMetrics
  })
  const endpoint = metrics.endpoint('/a', 'GET')
  const backend = metrics.backend('/a', '/x')
  endpoint(200, 0.01)
  endpoint(502, 0.02)
  backend(0, 0.005)
  assert.equal(loads, 0, 'recording does not load prom-client')
  metrics.load()
  endpoint(200, 0.03)
  const text = await metrics.registry.metrics()
  assert.equal(loads, 1, 'loaded once')
  const value = (series: string) => new RegExp(`^${series} (\\S+)$`, 'm').exec(text)?.[1]
  assert.equal(value('gateway_requests_total\\{endpoint="/a",method="GET",status="200",name="shop"\\}'), '2')
  assert.equal(value('gateway_requests_total\\{endpoint="/a",method="GET",status="502",name="shop"\\}'), '1')
  assert.equal(
    value('gateway_request_duration_seconds_count\\{name="shop",endpoint="/a",method="GET",status="200"\\}'),
    '2',
  )
  assert.equal(
    value('gateway_backend_requests_total\\{endpoint="/a",backend="/x",status="0",name="shop"\\}'),
    '1',
  )
  assert.equal(value('gateway_info\\{name="shop",version="test"\\}'), '1')
})

test('reading the registry loads prom-client with what was recorded', async () => {
  const metrics = new GatewayMetrics('shop', 'test', { processMetrics: false }, () => PromMetrics)
  metrics.endpoint('/b', 'POST')(201, 0.001)
  const text = await metrics.registry.metrics()
  assert.match(text, /^gateway_requests_total\{endpoint="\/b",method="POST",status="201",name="shop"\} 1$/m)
})

test("process CPU counts from the process's start, as Go's process collector does, not from prom-client's load", async () => {
  const before = process.cpuUsage()
  const metrics = new GatewayMetrics('shop', 'test', {}, () => PromMetrics)
  const text = await metrics.registry.metrics()
  const seconds = Number(/^process_cpu_seconds_total\{name="shop"\} (\S+)$/m.exec(text)?.[1])
  assert.ok(
    seconds >= (before.user + before.system) / 1e6,
    `${seconds} s counts the CPU spent before loading`,
  )
})
