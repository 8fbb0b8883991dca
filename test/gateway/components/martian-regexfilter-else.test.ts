// header.RegexFilter has no `else` in the martian KrakenD CE 2.13.8 builds (its JSON struct reads
// regex, header, modifier and scope): KrakenD neither parses nor runs one, so an `else` that would
// strip a header or that Go could not even parse changes nothing there. Found by the martiangen
// differential suite (SEED=4 and 7: KrakenD forwarded the Cookie and left X-Mode unset where this
// runtime ran the else's header.Blacklist and header.Copy).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'
import { MARTIAN_AT, martianErrors, martianGatewayConfig } from './martian-config.ts'

const filter = (otherwise: unknown) => ({
  'header.RegexFilter': {
    scope: ['request'],
    header: 'X-Tenant',
    regex: '^acme$',
    modifier: { 'header.Modifier': { name: 'X-Matched', value: '1' } },
    else: otherwise,
  },
})

describe('martian header.RegexFilter with an else', () => {
  const gateway = gatewayWith((backend) =>
    martianGatewayConfig(
      backend.origin,
      filter({ 'header.Blacklist': { names: ['Cookie'] } }),
      { input_headers: ['*'] },
      { url_pattern: '/echo' },
    ),
  )

  test('the else never runs: a request the regexp misses keeps its Cookie', async () => {
    await send(gateway.url, { path: '/a', headers: { 'X-Tenant': 'beta', Cookie: 'sid=1' } })
    const seen = gateway.backend.seen.at(-1)
    assert.equal(seen?.headers.cookie, 'sid=1')
    assert.equal(seen?.headers['x-matched'], undefined)
    await send(gateway.url, { path: '/a', headers: { 'X-Tenant': 'acme', Cookie: 'sid=1' } })
    assert.equal(gateway.backend.seen.at(-1)?.headers['x-matched'], '1')
    assert.equal(gateway.backend.seen.at(-1)?.headers.cookie, 'sid=1')
  })

  test('an else KrakenD could not parse is no error, and is warned about as ignored', () => {
    assert.deepEqual(martianErrors(filter({ 'nope.Modifier': {} })), [])
    const { warnings } = validateGatewayConfig(
      martianGatewayConfig('http://127.0.0.1:19', filter({ 'header.Blacklist': { names: ['Cookie'] } })),
    )
    const ignored = warnings.filter((w) => w.location?.path === `${MARTIAN_AT}.header.RegexFilter.else`)
    assert.equal(ignored.length, 1)
    assert.match(ignored[0]?.message ?? '', /ignored/)
  })
})
