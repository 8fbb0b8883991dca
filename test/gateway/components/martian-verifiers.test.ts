// martian's verifiers in KrakenD CE 2.13.8: header.Verifier only records mismatches in memory,
// which nothing reads, so the request and the answer go through unchanged (accepted, with a
// warning); querystring.Verifier, url.Verifier and status.Verifier dereference the nil martian
// context of every request they see (gin answers 500; with several backends the panic stops the
// KrakenD process), so they are refused.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'
import { MARTIAN_AT, martianErrors, martianGatewayConfig } from './martian-config.ts'

describe('martian header.Verifier', () => {
  const gateway = gatewayWith((backend) =>
    martianGatewayConfig(
      backend.origin,
      {
        'fifo.Group': {
          modifiers: [
            { 'header.Verifier': { name: 'X-Need', value: 'yes' } },
            { 'header.Modifier': { name: 'X-After', value: '1' } },
          ],
        },
      },
      { input_headers: ['X-Need'], output_encoding: 'no-op' },
      { url_pattern: '/echo', encoding: 'no-op' },
    ),
  )

  test('changes nothing on either side, whether the header matches or not', async () => {
    for (const headers of [{}, { 'X-Need': 'no' }, { 'X-Need': 'yes' }] as Record<string, string>[]) {
      const res = await send(gateway.url, { path: '/a', headers })
      assert.equal(res.status, 200)
      assert.equal(res.headers['x-after'], '1')
      const seen = gateway.backend.seen.at(-1)?.headers
      assert.equal(seen?.['x-after'], '1')
      assert.equal(seen?.['x-need'], headers['X-Need'])
    }
  })

  test('is accepted with a warning; a value that is no string is refused', () => {
    const result = validateGatewayConfig(
      martianGatewayConfig(
        'http://127.0.0.1:19',
        { 'header.Verifier': { name: 'X-A' } },
        {},
        { url_pattern: '/a' },
      ),
    )
    assert.deepEqual(result.errors, [])
    assert.match(result.warnings.map((w) => w.message).join('\n'), /header\.Verifier changes nothing/)
    const errors = martianErrors({ 'header.Verifier': { name: 'X-A', value: 1 } })
    assert.equal(errors[0]?.location?.path, `${MARTIAN_AT}.header.Verifier.value`)
  })
})

describe('martian verifiers that panic in KrakenD', () => {
  test('querystring.Verifier, url.Verifier and status.Verifier are refused, in groups too', () => {
    for (const type of ['querystring.Verifier', 'url.Verifier', 'status.Verifier']) {
      const errors = martianErrors({ 'fifo.Group': { modifiers: [{ [type]: {} }] } })
      assert.equal(errors[0]?.location?.path, `${MARTIAN_AT}.fifo.Group.modifiers[0].${type}`)
      assert.match(errors[0]?.message ?? '', /panics on every call/)
    }
  })
})
