import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'
import { type Hs256Issuer, hs256Issuer } from './hs256-issuer.ts'

// lura's router builds the backend headers after krakend-jose set the claims on the client's
// request: X-Forwarded-For is gin's ClientIP() of that request, so a claim propagated into
// X-Forwarded-For or X-Real-IP decides it (every proxy trusted, the default), listed in
// input_headers or not; User-Agent and X-Forwarded-Host are lura's whatever the claims say.
let issuer: Hs256Issuer
const gateway = gatewayWith(
  (backend) => {
    const validator = (propagate: string[][], extra: Record<string, unknown> = {}) =>
      issuer.validator({ propagate_claims: propagate, ...extra })
    const endpoint = (path: string, propagate: string[][], more: Record<string, unknown> = {}) => ({
      endpoint: path,
      ...more,
      extra_config: {
        'auth/validator': validator(propagate, (more.jwt as Record<string, unknown> | undefined) ?? {}),
      },
      backend: [{ host: [backend.origin], url_pattern: '/echo' }],
    })
    return {
      version: 3,
      endpoints: [
        endpoint('/xff', [['ip', 'X-Forwarded-For']]),
        endpoint('/xff-listed', [['ip', 'X-Forwarded-For']], { input_headers: ['X-Forwarded-For'] }),
        endpoint('/real-ip', [['ip', 'X-Real-IP']]),
        endpoint('/xff-list', [['ips', 'X-Forwarded-For']], {
          jwt: { propagate_claims_preserve_array: true },
        }),
        endpoint(
          '/ua',
          [
            ['sub', 'User-Agent'],
            ['sub', 'X-Forwarded-Host'],
          ],
          {
            input_headers: ['User-Agent', 'X-Forwarded-Host'],
          },
        ),
      ],
    }
  },
  {
    setUp: async () => {
      issuer = await hs256Issuer()
    },
    tearDown: async () => {
      await issuer?.remove()
    },
  },
)

const seen = async (path: string, claims: Record<string, unknown>, headers: Record<string, string> = {}) => {
  const res = await send(gateway.url, {
    path,
    headers: { authorization: `Bearer ${await issuer.token(claims)}`, host: 'gw.example', ...headers },
  })
  assert.equal(res.status, 200, res.text)
  return JSON.parse(res.text).headers
}

describe('propagate_claims and the X-Forwarded-For a backend receives', () => {
  test('a claim propagated into X-Forwarded-For (not in input_headers) is the client IP the backend gets', async () => {
    const h = await seen('/xff', { ip: '10.9.8.7' }, { 'x-forwarded-for': '7.7.7.7' })
    assert.equal(h['x-forwarded-for'], '10.9.8.7')
  })

  test("a missing claim empties the header: the peer's address, never the client's own X-Forwarded-For", async () => {
    const h = await seen('/xff', { sub: 'alice' }, { 'x-forwarded-for': '7.7.7.7' })
    assert.equal(h['x-forwarded-for'], '127.0.0.1')
  })

  test('a claim that is no IP, or a list, goes through ClientIP like a client header would', async () => {
    assert.equal((await seen('/xff-listed', { ip: 'not-an-ip' }))['x-forwarded-for'], '127.0.0.1')
    assert.equal((await seen('/xff-listed', { ip: '1.2.3.4, 5.6.7.8' }))['x-forwarded-for'], '1.2.3.4')
    assert.equal((await seen('/xff-list', { ips: ['9.9.9.9', '8.8.8.8'] }))['x-forwarded-for'], '9.9.9.9')
  })

  test('a claim propagated into X-Real-IP is the client IP too', async () => {
    assert.equal((await seen('/real-ip', { ip: '10.9.8.7' }))['x-forwarded-for'], '10.9.8.7')
  })

  test('a claim in User-Agent adds X-Forwarded-Via; X-Forwarded-Host stays the request host', async () => {
    const h = await seen('/ua', { sub: 'alice' })
    assert.equal(h['user-agent'], 'alice')
    assert.match(String(h['x-forwarded-via']), /^KrakenD Version /)
    assert.equal(h['x-forwarded-host'], 'gw.example')
  })
})
