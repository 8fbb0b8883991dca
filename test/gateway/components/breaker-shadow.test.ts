// qos/circuit-breaker on a shadow backend. lura's shadow proxy runs the shadow's whole backend stack
// (krakend-circuitbreaker around the HTTP proxy with its status handler and decoder) and only drops
// the result, so a shadow answering 500 or a body that does not decode counts as a failure: with
// max_errors 1 the second one opens the circuit and later shadow calls never reach the backend.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

let backend: TestBackend
let gw: Running

before(async () => {
  backend = await startBackend('shadowed', {
    '/main': { status: 200, body: { id: 1 } },
    '/failing': { status: 500, body: { error: true } },
    '/undecodable': { status: 200, raw: '{"id":', headers: { 'content-type': 'application/json' } },
  })
  const shadowTo = (path: string) => ({
    host: [backend.origin],
    url_pattern: path,
    extra_config: {
      proxy: { shadow: true },
      'qos/circuit-breaker': { interval: 0, timeout: 3600, max_errors: 1 },
    },
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: ['/failing', '/undecodable'].map((path) => ({
        endpoint: path,
        backend: [{ host: [backend.origin], url_pattern: '/main' }, shadowTo(path)],
      })),
    }),
  )
})

after(async () => {
  await gw.close()
  await backend.close()
})

const calls = (path: string) => backend.seen.filter((r) => r.url === path).length

/** Waits (bounded) until the shadow calls so far have reached the backend. */
async function shadowsArrive(path: string, count: number) {
  for (let i = 0; i < 200 && calls(path) < count; i += 1) await sleep(10)
}

for (const path of ['/failing', '/undecodable'])
  test(`a shadow's ${path.slice(1)} answers count against its breaker: the open circuit stops later shadow calls`, async () => {
    for (let i = 0; i < 2; i += 1) {
      assert.equal((await send(gw.url, { path })).status, 200)
      await shadowsArrive(path, i + 1)
    }
    assert.equal(calls(path), 2)
    for (let i = 0; i < 3; i += 1) assert.equal((await send(gw.url, { path })).status, 200)
    // a let-through shadow call would land within milliseconds; wait generously, assert only the count
    await sleep(500)
    assert.equal(calls(path), 2, 'two failures (> max_errors 1) open the circuit: no further shadow call')
  })
