// Go's http.Client on a redirect sets the next hop's Referer with Header.Set: one line, the first
// of the caller's own Referer lines when it is not empty, else the previous URL. A client's
// repeated Referer lines went on as they were here, and an empty one stayed empty, where KrakenD
// CE 2.13.8 sends `Referer: a` and `Referer: http://backend/moved` (found by the martiangen
// differential suite, SEED=51, 59 and 60, on backends answering 302 and 307).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from './gateway-fixture.ts'
import { rawRequest, sendRaw } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

describe('Referer on a redirected backend call', () => {
  let target: RawBackend | undefined
  const routes = { '/moved': { status: 302, location: '' } }
  const gateway = gatewayWith(
    (backend) => ({
      version: 3,
      endpoints: [
        {
          endpoint: '/a',
          input_headers: ['*'],
          backend: [{ host: [backend.origin], url_pattern: '/moved' }],
        },
      ],
    }),
    {
      backends: { api: routes },
      // The redirect goes to a backend that records the header lines as written.
      setUp: async () => {
        target = await startRawBackend()
        routes['/moved'].location = `${target.origin}/next`
      },
      tearDown: async () => target?.close(),
    },
  )
  /** The Referer lines of the redirected hop, for a request with these Referer lines. */
  const referer = async (...lines: string[]) => {
    const text = rawRequest(['GET /a HTTP/1.1', 'Host: gw', ...lines.map((l) => `Referer: ${l}`)])
    assert.equal((await sendRaw(gateway.url, text)).status, 200)
    return target?.lines('referer')
  }
  const moved = () => [`Referer: ${gateway.backend.origin}/moved`]

  test('repeated lines: the first one, once', async () => {
    assert.deepEqual(await referer('a', 'b'), ['Referer: a'])
  })

  test('an empty first line, or none: the previous URL', async () => {
    assert.deepEqual(await referer(''), moved())
    assert.deepEqual(await referer('', 'x'), moved())
    assert.deepEqual(await referer(), moved())
  })
})
