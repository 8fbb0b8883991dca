// A body body.Modifier sets cannot be sent again: Go's client repeats a body on a 307/308 only
// through the request's GetBody, which lura sets only with send_body_on_redirect, and martian
// replaces the body without it. KrakenD CE 2.13.8 so takes the 307 as the backend's answer (an
// error for lura: 500), with or without a client body; this runtime followed it and sent the
// modifier's body again (found by the martiangen differential suite, SEED=64).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

const body = (text: string) => ({
  'body.Modifier': {
    scope: ['request'],
    body: Buffer.from(text).toString('base64'),
    contentType: 'text/plain',
  },
})

describe('martian body.Modifier and a 307', () => {
  const gateway = gatewayWith(
    (backend) => ({
      version: 3,
      endpoints: [
        { endpoint: '/put', method: 'PUT', martian: body('hi') },
        { endpoint: '/get', method: 'GET', martian: body('') },
      ].map(({ endpoint, method, martian }) => ({
        endpoint,
        method,
        backend: [
          { host: [backend.origin], url_pattern: '/moved', extra_config: { 'modifier/martian': martian } },
        ],
      })),
    }),
    { backends: { api: { '/moved': { status: 307, location: '/echo' } } } },
  )

  test('the 307 is the answer: one call, and the endpoint fails as on any 307', async () => {
    for (const [method, path, sent] of [
      ['PUT', '/put', 'client'],
      ['GET', '/get', undefined],
    ] as const) {
      const before = gateway.backend.seen.length
      const res = await send(gateway.url, { method, path, ...(sent ? { body: sent } : {}) })
      assert.equal(res.status, 500, path)
      assert.deepEqual(
        gateway.backend.seen.slice(before).map((r) => `${r.method} ${r.url} ${r.body}`),
        [`${method} /moved ${sent ? 'hi' : ''}`],
      )
    }
  })
})
