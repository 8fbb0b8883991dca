// A martian modifier written without "scope" (or "scope": null, Go's nil slice) applies on every
// side it has, as martian's parse.NewResult reads it: header modifiers on the backend request and
// on its answer, querystring.Modifier on the request only, status.Modifier on the answer only.
// KrakenD CE 2.13.8 runs these configs and applies them so (checked with the same probes).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'
import { martianGatewayConfig } from './martian-config.ts'

const modifiers = [
  { 'header.Modifier': { name: 'X-M', value: '1' } },
  { 'querystring.Modifier': { scope: null, name: 'q', value: 'v' } },
  { 'header.Blacklist': { scope: null, names: ['X-Ok', 'X-Back'] } },
  {
    'header.Filter': {
      name: 'X-A',
      value: 'go',
      modifier: { 'header.Modifier': { name: 'X-F', value: 'f' } },
    },
  },
  { 'status.Modifier': { statusCode: 202 } },
]

describe('martian modifiers without a scope', () => {
  const gateway = gatewayWith(
    (backend) =>
      martianGatewayConfig(
        backend.origin,
        { 'fifo.Group': { scope: null, modifiers } },
        { input_headers: ['X-Ok', 'X-A'], input_query_strings: ['q'], output_encoding: 'no-op' },
        { encoding: 'no-op', url_pattern: '/b' },
      ),
    { backends: { api: { '/b': { headers: { 'X-Back': 'b' }, body: { ok: true } } } } },
  )

  test('apply to the backend request', async () => {
    const res = await send(gateway.url, { path: '/a?q=1', headers: { 'X-A': 'go', 'X-Ok': 'x' } })
    const seen = gateway.backend.seen.at(-1)
    assert.equal(seen?.url, '/b?q=v')
    assert.equal(seen?.headers['x-m'], '1')
    assert.equal(seen?.headers['x-f'], 'f')
    assert.equal(seen?.headers['x-ok'], undefined)
    assert.equal(res.status, 202)
  })

  test('apply to the answer', async () => {
    const res = await send(gateway.url, { path: '/a', headers: { 'X-A': 'go' } })
    assert.equal(res.status, 202)
    assert.equal(res.headers['x-m'], '1')
    assert.equal(res.headers['x-back'], undefined)
  })
})
