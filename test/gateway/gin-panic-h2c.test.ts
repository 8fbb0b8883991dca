// Where gin's routing panics (the 405 lookups of one request overflow its skipped-node stack), Go's
// HTTP/1.1 server closes the connection unanswered and its HTTP/2 server resets the stream with
// INTERNAL_ERROR: KrakenD 2.13.8 over h2c answers PUT /a/b beside GET/POST/DELETE /a/{x} and /{y} so
// (found by krakend-diff routegen SEED=472 ODD=0.3 --h2c, 5 of 96 cases, where this runtime ended
// the stream with NO_ERROR).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { h2Outcome } from './h2-outcome.ts'
import { mustConfig, type Running, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

let backend: RawBackend
let gw: Running

before(async () => {
  backend = await startRawBackend()
  const host = [backend.origin]
  const endpoints = ['GET', 'POST', 'DELETE'].flatMap((method) => [
    { endpoint: '/a/{x}', method, backend: [{ host, url_pattern: '/b' }] },
    { endpoint: '/{y}', method, backend: [{ host, url_pattern: '/b' }] },
  ])
  gw = await startGateway(mustConfig({ version: 3, endpoints }))
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

test('the stream of a request gin panics on is reset with INTERNAL_ERROR', async () => {
  assert.deepEqual(await h2Outcome(gw.url, 'PUT', '/a/b'), { rstCode: 2 })
  assert.deepEqual(await h2Outcome(gw.url, 'GET', '/a/b/c'), { rstCode: 2 })
  assert.deepEqual(await h2Outcome(gw.url, 'PUT', '/b'), { status: 405 })
  assert.equal(backend.requests.length, 0)
})
