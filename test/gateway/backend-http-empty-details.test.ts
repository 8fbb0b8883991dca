// backend/http with "return_error_details": "" beside "return_error_code": true. lura's
// GetHTTPStatusHandler looks return_error_details up first: present, it takes it only when it is a
// non-empty string and otherwise falls back to the default handler without looking at
// return_error_code. So a 404 answers 500 (the default handler's error), as in KrakenD.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

let backend: TestBackend
let gw: Running

const configFor = (origin: string) => ({
  version: 3,
  endpoints: [
    {
      endpoint: '/gone',
      backend: [
        {
          host: [origin],
          url_pattern: '/gone',
          extra_config: { 'backend/http': { return_error_code: true, return_error_details: '' } },
        },
      ],
    },
  ],
})

before(async () => {
  backend = await startBackend('missing', { '/gone': { status: 404, body: { error: 'gone' } } })
  gw = await startGateway(mustConfig(configFor(backend.origin)))
})

after(async () => {
  await gw.close()
  await backend.close()
})

test('an empty return_error_details turns return_error_code off: a 404 answers 500', async () => {
  const answer = await send(gw.url, { path: '/gone' })
  assert.equal(answer.status, 500)
  assert.equal(backend.seen.length, 1)
})

test('the check says return_error_code is ignored there', () => {
  const { warnings } = validateGatewayConfig(configFor('http://127.0.0.1:9'))
  assert.ok(
    warnings.some((w) => /"return_error_code" is ignored/.test(w.message)),
    JSON.stringify(warnings),
  )
})
