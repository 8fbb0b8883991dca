// qos/circuit-breaker around a no-op backend whose answers a backend-level validation/cel resp_ check
// rejects. KrakenD stacks krakend-cel below krakend-circuitbreaker (krakend-ce backend_factory.go),
// so the rejection is the call's error and counts as a failure: with max_errors 1 the second
// rejection opens the circuit and the third request never reaches the backend.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

let backend: TestBackend
let gw: Running

before(async () => {
  backend = await startBackend('noop', { '/item': { status: 200, body: { id: 1 } } })
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/item',
          output_encoding: 'no-op',
          backend: [
            {
              host: [backend.origin],
              url_pattern: '/item',
              encoding: 'no-op',
              extra_config: {
                'qos/circuit-breaker': { interval: 0, timeout: 60, max_errors: 1 },
                'validation/cel': [{ check_expr: 'resp_metadata_status == 201' }],
              },
            },
          ],
        },
      ],
    }),
  )
})

after(async () => {
  await gw.close()
  await backend.close()
})

test('a no-op answer the backend CEL check rejects counts against the breaker: the open circuit stops the third call', async () => {
  const statuses: number[] = []
  for (let i = 0; i < 3; i += 1) statuses.push((await send(gw.url, { path: '/item' })).status)
  assert.deepEqual(statuses, [500, 500, 500])
  assert.equal(backend.seen.length, 2, 'two rejected answers (> max_errors 1) open the circuit')
})
