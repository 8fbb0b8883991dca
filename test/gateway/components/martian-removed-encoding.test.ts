// Go's transport asks for gzip below martian whenever the header map it is handed has no
// Accept-Encoding and no Range, also when a modifier removed the client's forwarded ones: KrakenD
// CE 2.13.8 then sends `Accept-Encoding: gzip` (and decompresses the answer). Found by the martiangen
// differential suite (SEED=6: a header.Blacklist of Accept-Encoding, where this runtime sent none).
// With `disable_compression` nothing is asked for.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

const blacklist = (names: string[]) => ({ 'header.Blacklist': { scope: ['request'], names } })

const config = (origin: string, service: Record<string, unknown>) => ({
  version: 3,
  ...service,
  endpoints: ['Accept-Encoding', 'Range'].map((name) => ({
    endpoint: `/no-${name.toLowerCase()}`,
    input_headers: ['*'],
    backend: [
      {
        host: [origin],
        url_pattern: '/echo',
        extra_config: { 'modifier/martian': blacklist([name]) },
      },
    ],
  })),
})

describe("martian removing the client's Accept-Encoding or Range", () => {
  const gateway = gatewayWith((backend) => config(backend.origin, {}))
  const seen = () => gateway.backend.seen.at(-1)?.headers['accept-encoding']

  test('Go asks for gzip once the map has neither', async () => {
    await send(gateway.url, { path: '/no-accept-encoding', headers: { 'Accept-Encoding': 'identity' } })
    assert.equal(seen(), 'gzip')
    await send(gateway.url, { path: '/no-range', headers: { Range: 'bytes=0-1' } })
    assert.equal(seen(), 'gzip')
    await send(gateway.url, { path: '/no-range', headers: { Range: 'bytes=0-1', 'Accept-Encoding': 'br' } })
    assert.equal(seen(), 'br')
  })
})

describe('the same with disable_compression', () => {
  const gateway = gatewayWith((backend) => config(backend.origin, { disable_compression: true }))

  test('nothing is asked for', async () => {
    await send(gateway.url, { path: '/no-accept-encoding', headers: { 'Accept-Encoding': 'identity' } })
    assert.equal(gateway.backend.seen.at(-1)?.headers['accept-encoding'], undefined)
    await send(gateway.url, { path: '/no-range', headers: { Range: 'bytes=0-1' } })
    assert.equal(gateway.backend.seen.at(-1)?.headers['accept-encoding'], undefined)
  })
})
