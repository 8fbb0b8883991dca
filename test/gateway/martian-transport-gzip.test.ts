// modifier/martian runs above Go's transport, which asks for gzip itself when the header map it is
// handed has no Accept-Encoding: a header.Blacklist naming it does not take the line away (found by
// the differential fuzz of the martian modifiers against KrakenD CE).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { rawGatewayWith } from './gateway-fixture.ts'
import { rawRequest, sendRaw } from './helpers.ts'

describe('martian header.Blacklist on Accept-Encoding', () => {
  const gateway = rawGatewayWith((raw) => ({
    version: 3,
    endpoints: [
      {
        endpoint: '/blacklisted',
        input_headers: ['*'],
        backend: [
          {
            host: [raw.origin],
            url_pattern: '/b',
            extra_config: {
              'modifier/martian': {
                'header.Blacklist': { scope: ['request'], names: ['Accept-Encoding', 'X-Gone'] },
              },
            },
          },
        ],
      },
    ],
  }))

  test("the backend still gets the transport's Accept-Encoding: gzip, and not the other names", async () => {
    const { status } = await sendRaw(
      gateway.url,
      rawRequest(['GET /blacklisted HTTP/1.1', 'Host: gw.example', 'X-Gone: 1', 'X-Kept: 2']),
    )
    assert.equal(status, 200)
    assert.deepEqual(gateway.raw.lines('accept-encoding'), ['Accept-Encoding: gzip'])
    assert.deepEqual(gateway.raw.lines('x-gone'), [])
    assert.deepEqual(gateway.raw.lines('x-kept'), ['X-Kept: 2'])
  })
})
