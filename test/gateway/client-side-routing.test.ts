// gin's routing as lura configures it, on request paths with escapes: expected answers from gin's
// tree.go / gin.go (handleHTTPRequest, cleanPath, findCaseInsensitivePath), checked against gin
// v1.12.0 (KrakenD CE 2.13's) on the same routes.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  mustConfig,
  type Running,
  rawRequest,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from './helpers.ts'

const get = (url: string, target: string) => sendRaw(url, rawRequest([`GET ${target} HTTP/1.1`, 'Host: x']))
const location = (head: string) => /\r\nLocation: ([^\r]*)/i.exec(head)?.[1]

describe('client side routing', () => {
  let backend: TestBackend
  let plain: Running
  let removing: Running
  before(async () => {
    backend = await startBackend('b', {})
    const endpoints = [
      { endpoint: '/admin/secret', backend: [{ host: [backend.origin], url_pattern: '/echo/secret' }] },
      { endpoint: '/v1/{a}/{b}', backend: [{ host: [backend.origin], url_pattern: '/echo/v1/{a}/{b}' }] },
      { endpoint: '/users/{id}', backend: [{ host: [backend.origin], url_pattern: '/echo/user/{id}' }] },
      { endpoint: '/café', backend: [{ host: [backend.origin], url_pattern: '/echo/cafe' }] },
    ]
    plain = await startGateway(mustConfig({ version: 3, endpoints }))
    removing = await startGateway(
      mustConfig({ version: 3, extra_config: { router: { remove_extra_slash: true } }, endpoints }),
    )
  })
  after(async () => {
    await plain.close()
    await removing.close()
    await backend.close()
  })

  test('remove_extra_slash cleans the decoded path (gin cleans URL.Path): escaped slashes and dots count', async () => {
    // `/v1/%2Fb` is `/v1//b`, cleaned `/v1/b`: no route (KrakenD 404), never `/v1/{a}/{b}` with an empty a.
    const before = backend.seen.length
    assert.equal((await get(removing.url, '/v1/%2Fb')).status, 404)
    assert.equal(backend.seen.length, before)
    // Served where KrakenD serves them (it redirected them instead).
    for (const [target, url] of [
      ['/admin%2F%2Fsecret', '/echo/secret'],
      ['/v1/%2e%2e/admin/secret', '/echo/secret'],
      ['/users/%2e/7', '/echo/user/7'],
      ['/v1/a%2F/b', '/echo/v1/a/b'],
    ]) {
      const { status } = await get(removing.url, target as string)
      assert.equal(status, 200, target)
      assert.equal(backend.seen.at(-1)?.url, url, target)
    }
    // Without remove_extra_slash the empty segment is a parameter, as in gin.
    assert.equal((await get(plain.url, '/v1/%2Fb')).status, 200)
  })

  test('a case-insensitive fixed path compares letters beyond ASCII as text: /CAF%C3%89 redirects to /caf%C3%A9', async () => {
    for (const target of ['/CAF%C3%89', '/Caf%C3%A9/', '//CAF%C3%89']) {
      const { status, head } = await get(plain.url, target)
      assert.equal(status, 301, target)
      assert.equal(location(head), '/caf%C3%A9', target)
    }
  })
})
