// krakend-martian's header.Id: a random version-4 UUID in X-Krakend-Id (or the header `header`
// names) on the backend request, unless the request's first value of it is already set (a client's
// own ID passes when input_headers lets it through). Request side only: a response scope makes
// KrakenD drop the whole martian config. Checked against KrakenD CE 2.13.8 (krakend-diff suite
// martian-gaps: 0 differences over HTTP/1.1, --h2c and --yaml).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'
import { MARTIAN_AT, martianErrors, martianGatewayConfig } from './martian-config.ts'

/** An endpoint at `path` whose backend /echo carries this martian config. */
const echoing = (origin: string, path: string, martian: unknown, input_headers: string[] = []) => ({
  endpoint: path,
  input_headers,
  backend: [{ host: [origin], url_pattern: '/echo', extra_config: { 'modifier/martian': martian } }],
})

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('martian header.Id', () => {
  const gateway = gatewayWith((backend) => ({
    version: 3,
    endpoints: [
      echoing(backend.origin, '/id', { 'header.Id': {} }, ['X-Krakend-Id']),
      echoing(backend.origin, '/named', { 'header.Id': { Header: 'X-Request-Id', scope: ['request'] } }),
      echoing(backend.origin, '/copied', {
        'fifo.Group': {
          modifiers: [
            { 'header.Id': { header: 'X-Trace' } },
            { 'header.Copy': { from: 'X-Trace', to: 'X-Copy' } },
          ],
        },
      }),
    ],
  }))
  const seenHeaders = () => gateway.backend.seen.at(-1)?.headers ?? {}

  test('sets a new version-4 UUID on each backend request', async () => {
    assert.equal((await send(gateway.url, { path: '/id' })).status, 200)
    const first = seenHeaders()['x-krakend-id']
    assert.match(String(first), UUID4)
    await send(gateway.url, { path: '/id' })
    assert.match(String(seenHeaders()['x-krakend-id']), UUID4)
    assert.notEqual(seenHeaders()['x-krakend-id'], first)
  })

  test("keeps the client's own ID, and replaces an empty one", async () => {
    await send(gateway.url, { path: '/id', headers: { 'X-Krakend-Id': 'client-7' } })
    assert.equal(seenHeaders()['x-krakend-id'], 'client-7')
    await send(gateway.url, { path: '/id', headers: { 'X-Krakend-Id': '' } })
    assert.match(String(seenHeaders()['x-krakend-id']), UUID4)
  })

  test('writes the header it names, before the modifiers after it', async () => {
    await send(gateway.url, { path: '/named', headers: { 'X-Krakend-Id': 'not-forwarded' } })
    assert.match(String(seenHeaders()['x-request-id']), UUID4)
    assert.equal(seenHeaders()['x-krakend-id'], undefined)
    await send(gateway.url, { path: '/copied' })
    assert.match(String(seenHeaders()['x-trace']), UUID4)
    assert.equal(seenHeaders()['x-copy'], seenHeaders()['x-trace'])
  })
})

describe('martian header.Id configs KrakenD drops or that could do nothing', () => {
  test('a response scope, a header that is no string, or Host are refused', () => {
    const at = `${MARTIAN_AT}.header.Id`
    const scoped = martianErrors({ 'header.Id': { scope: ['response'] } })
    assert.equal(scoped[0]?.location?.path, `${at}.scope`)
    assert.match(scoped[0]?.message ?? '', /no response scope/)
    assert.equal(martianErrors({ 'header.Id': { header: 5 } })[0]?.location?.path, `${at}.header`)
    assert.match(martianErrors({ 'header.Id': { header: 'Host' } })[0]?.message ?? '', /never sends/)
    assert.match(
      martianErrors({ 'header.Id': { header: 'Content-Length' } })[0]?.message ?? '',
      /cannot write/,
    )
  })

  test('a misspelt "header" is refused; the field in another case is read, with a warning', () => {
    assert.match(martianErrors({ 'header.Id': { headr: 'X-Id' } })[0]?.message ?? '', /"header" is not set/)
    const result = validateGatewayConfig(
      martianGatewayConfig(
        'http://127.0.0.1:19',
        { 'header.Id': { HEADER: 'x-a' } },
        {},
        { url_pattern: '/a' },
      ),
    )
    assert.deepEqual(result.errors, [])
    assert.match(result.warnings.map((w) => w.message).join('\n'), /"HEADER" is read as "header"/)
  })
})
