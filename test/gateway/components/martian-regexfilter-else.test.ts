// header.RegexFilter has no `else` in the martian KrakenD CE 2.13.8 builds (its JSON struct reads
// regex, header, modifier and scope): KrakenD neither parses nor runs one (the martiangen differential
// suite, SEED=4 and 7: KrakenD forwarded the Cookie and left X-Mode unset where this runtime once ran
// the else's header.Blacklist and header.Copy). An else is how a header is stripped from what the
// regexp misses, so it is refused, never silently dropped; the filter without it runs as KrakenD's.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'
import { MARTIAN_AT, martianErrors, martianGatewayConfig } from './martian-config.ts'

const filter = (extra: Record<string, unknown>) => ({
  'header.RegexFilter': {
    scope: ['request'],
    header: 'X-Tenant',
    regex: '^acme$',
    modifier: { 'header.Modifier': { name: 'X-Matched', value: '1' } },
    ...extra,
  },
})

describe('martian header.RegexFilter and else', () => {
  test('an else is refused at its path, whatever its case and whether KrakenD could parse it', () => {
    for (const [key, otherwise] of [
      ['else', { 'header.Blacklist': { names: ['Cookie'] } }],
      ['Else', { 'header.Blacklist': { names: ['Authorization'] } }],
      ['elſe', { 'nope.Modifier': {} }],
    ] as const) {
      const errors = martianErrors(filter({ [key]: otherwise }))
      assert.equal(errors.length, 1, key)
      assert.equal(errors[0]?.location?.path, `${MARTIAN_AT}.header.RegexFilter.${key}`)
      assert.match(errors[0]?.message ?? '', /has no "else".*never run/)
      assert.match(errors[0]?.hint ?? '', /remove "else"/)
    }
  })

  const gateway = gatewayWith((backend) =>
    martianGatewayConfig(backend.origin, filter({}), { input_headers: ['*'] }, { url_pattern: '/echo' }),
  )

  test('without an else the filter runs its modifier only on a match, as in KrakenD', async () => {
    assert.deepEqual(martianErrors(filter({})), [])
    await send(gateway.url, { path: '/a', headers: { 'X-Tenant': 'beta', Cookie: 'sid=1' } })
    assert.equal(gateway.backend.seen.at(-1)?.headers['x-matched'], undefined)
    assert.equal(gateway.backend.seen.at(-1)?.headers.cookie, 'sid=1')
    await send(gateway.url, { path: '/a', headers: { 'X-Tenant': 'acme', Cookie: 'sid=1' } })
    assert.equal(gateway.backend.seen.at(-1)?.headers['x-matched'], '1')
    assert.equal(gateway.backend.seen.at(-1)?.headers.cookie, 'sid=1')
  })
})
