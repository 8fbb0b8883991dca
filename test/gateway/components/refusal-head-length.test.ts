// A refusal's headers are the component's own object, shared by every answer it refuses: the
// length of one answer must not stay in it for the next. KrakenD CE (2.13.8 build, checked here):
// GET refused by the service bot detector answers 403 with Content-Length: 0, a HEAD refused the
// same way after it answers 403 without any Content-Length (Go's chunkWriter sets none for an
// empty HEAD answer), on a path of an endpoint (405 route, Allow: GET) and on no path (404 route).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { gatewayWith } from '../gateway-fixture.ts'
import { rawRequest, sendRaw } from '../helpers.ts'

describe('a shared refusal answers HEAD without the length an earlier GET refusal had', () => {
  const gw = gatewayWith((backend) => ({
    version: 3,
    extra_config: { 'security/bot-detector': { deny: ['BadBot/1.0'], cache_size: 0 } },
    endpoints: [{ endpoint: '/items', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
  }))

  const refused = (method: string, path: string) =>
    sendRaw(gw.url, rawRequest([`${method} ${path} HTTP/1.1`, 'Host: localhost', 'User-Agent: BadBot/1.0']))
  const length = (head: string) => /\r\ncontent-length: *(\d+)/i.exec(head)?.[1]

  test('GET then HEAD on an endpoint path and on no path', async () => {
    for (const path of ['/items', '/nowhere']) {
      const get = await refused('GET', path)
      assert.equal(get.status, 403)
      assert.equal(length(get.head), '0')
      for (let round = 0; round < 2; round++) {
        const head = await refused('HEAD', path)
        assert.equal(head.status, 403)
        assert.equal(length(head.head), undefined, `HEAD ${path} round ${round}: ${head.head}`)
      }
    }
  })
})
