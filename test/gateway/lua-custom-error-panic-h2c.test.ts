// custom_error with a status Go cannot write (below 100 or above 999) and no router.return_error_msg:
// gin writes that status after the handlers, outside its Recovery, so the panic reaches Go's
// server. KrakenD 2.13.8 over h2c resets the stream with INTERNAL_ERROR ("http2: panic serving
// ...: invalid WriteHeader code 1000"); this runtime ended it with NO_ERROR. Over HTTP/1.1 the
// connection closes unanswered.
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { after, before, test } from 'node:test'
import { h2Outcome } from './h2-outcome.ts'
import { mustConfig, type Running, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

let backend: RawBackend
let gw: Running

before(async () => {
  backend = await startRawBackend()
  const endpoints = [
    ['/high', 1000],
    ['/low', 50],
    ['/teapot', 418],
  ].map(([endpoint, code]) => ({
    endpoint,
    extra_config: { 'modifier/lua-proxy': { pre: `custom_error('e', ${code})` } },
    backend: [{ host: [backend.origin], url_pattern: '/b' }],
  }))
  gw = await startGateway(mustConfig({ version: 3, endpoints }))
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

test('over h2c the stream is reset with INTERNAL_ERROR', async () => {
  assert.deepEqual(await h2Outcome(gw.url, 'GET', '/high'), { rstCode: 2 })
  assert.deepEqual(await h2Outcome(gw.url, 'GET', '/low'), { rstCode: 2 })
  assert.deepEqual(await h2Outcome(gw.url, 'GET', '/teapot'), { status: 418 })
  assert.equal(backend.requests.length, 0)
})

test('over HTTP/1.1 the connection closes unanswered', async () => {
  const outcome = await new Promise<string>((resolve) => {
    const req = request(`${gw.url}/high`, { agent: false }, (res) => {
      resolve(`status ${res.statusCode}`)
      res.resume()
    })
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
    req.end()
  })
  assert.equal(outcome, 'ECONNRESET')
})
