// modifier/martian field names in another case ("SCOPE", "Name", "MODIFIER") are read as Go's
// json.Unmarshal matches them, case-insensitively: KrakenD CE 2.13.8 runs this config and the
// backend gets the same request from both (checked with the same probe). One field written in two
// cases is refused (Go keeps the later one; likely a mistake).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'
import { MARTIAN_AT, martianErrors, martianGatewayConfig } from './martian-config.ts'

describe('martian field names in another case', () => {
  const gateway = gatewayWith(
    (backend) =>
      martianGatewayConfig(
        backend.origin,
        {
          'fifo.Group': {
            SCOPE: ['request', 'response'],
            Modifiers: [
              { 'header.Modifier': { Scope: ['request'], NAME: 'X-M', Value: '1' } },
              {
                'priority.Group': {
                  scope: ['request'],
                  modifiers: [
                    {
                      Priority: 2,
                      MODIFIER: { 'querystring.Modifier': { scope: ['request'], name: 'q', value: 'v' } },
                    },
                  ],
                },
              },
              { 'header.Blacklist': { scope: ['request'], NAMES: ['X-Ok'] } },
            ],
          },
        },
        { input_headers: ['X-Ok'], input_query_strings: ['q'] },
        { url_pattern: '/echo' },
      ),
    { backends: { api: {} } },
  )

  test('are read as the fields Go fills with them', async () => {
    const res = await send(gateway.url, { path: '/a?q=1', headers: { 'X-Ok': 'x' } })
    assert.equal(res.status, 200)
    const seen = gateway.backend.seen.at(-1)
    assert.equal(seen?.url, '/echo?q=v')
    assert.equal(seen?.headers['x-m'], '1')
    assert.equal(seen?.headers['x-ok'], undefined)
  })

  test('one field written in two cases is refused at the later name', () => {
    const errors = martianErrors({
      'header.Modifier': { scope: ['request'], name: 'X-A', NAME: 'X-B', value: '1' },
    })
    assert.equal(errors[0]?.location?.path, `${MARTIAN_AT}.header.Modifier.NAME`)
    assert.match(errors[0]?.message ?? '', /both set "name"/)
  })
})
