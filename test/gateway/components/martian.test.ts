import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'

let backend: TestBackend
let gw: Running

before(async () => {
  backend = await startBackend('api')
  const host = [backend.origin]
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'martian',
      endpoints: [
        {
          endpoint: '/m',
          input_headers: ['X-Trace', 'X-Secret'],
          input_query_strings: ['page', 'z'],
          backend: [
            {
              host,
              url_pattern: '/echo/m',
              extra_config: {
                'modifier/martian': {
                  'fifo.Group': {
                    scope: ['request'],
                    aggregateErrors: true,
                    modifiers: [
                      { 'header.Modifier': { scope: ['request'], name: 'X-Api-Key', value: 'k-123' } },
                      { 'header.Copy': { scope: ['request'], from: 'X-Trace', to: 'X-Request-Id' } },
                      { 'header.Append': { scope: ['request'], name: 'X-Trace', value: 'gw' } },
                      { 'header.Blacklist': { scope: ['request'], names: ['X-Secret'] } },
                      { 'querystring.Modifier': { scope: ['request'], name: 'limit', value: '10 items' } },
                    ],
                  },
                },
              },
            },
            { host, url_pattern: '/echo/plain', group: 'plain' },
          ],
        },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

describe('modifier/martian (request scope)', () => {
  test('headers set, copied, appended and removed; the query set and re-encoded as Go does; other backends untouched', async () => {
    const res = await send(gw.url, {
      path: '/m?z=1&page=2&dropped=3',
      headers: { 'x-trace': 't1', 'x-secret': 's' },
    })
    assert.equal(res.status, 200)
    const body = JSON.parse(res.text) as {
      headers: Record<string, string>
      url: string
      plain: { headers: Record<string, string>; url: string }
    }
    assert.equal(body.headers['x-api-key'], 'k-123')
    assert.equal(body.headers['x-request-id'], 't1')
    assert.equal(body.headers['x-trace'], 't1, gw')
    assert.equal(body.headers['x-secret'], undefined)
    assert.equal(body.url, '/echo/m?limit=10+items&page=2&z=1')
    assert.equal(body.plain.headers['x-secret'], 's', 'the other backend gets the request unchanged')
    assert.equal(body.plain.headers['x-api-key'], undefined)
    assert.doesNotMatch(body.plain.url, /limit/)
  })

  test('unsupported modifiers and the response scope are config errors at their JSON path', () => {
    const check = (martian: unknown) =>
      validateGatewayConfig({
        version: 3,
        endpoints: [
          {
            endpoint: '/a',
            backend: [
              {
                host: ['http://127.0.0.1:9'],
                url_pattern: '/a',
                extra_config: { 'modifier/martian': martian },
              },
            ],
          },
        ],
      }).errors
    const base = 'endpoints[0].backend[0].extra_config.modifier/martian'
    const body = check({ 'body.Modifier': { scope: ['request'], body: 'eA==' } })
    assert.equal(body[0]?.location?.path, `${base}.body.Modifier`)
    assert.match(body[0]?.message ?? '', /not supported/)
    const response = check({ 'header.Modifier': { scope: ['response'], name: 'A', value: 'b' } })
    assert.equal(response[0]?.location?.path, `${base}.header.Modifier.scope`)
    const nested = check({
      'fifo.Group': {
        modifiers: [
          { 'header.Modifier': { scope: ['request'], name: 'A', value: 'b' } },
          { 'url.Filter': {} },
        ],
      },
    })
    assert.equal(nested[0]?.location?.path, `${base}.fifo.Group.modifiers[1].url.Filter`)
  })
})
