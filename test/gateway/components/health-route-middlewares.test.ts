/**
 * gin registers the health route (GET, routed on the decoded path: `/__heal%74h` is it) before the
 * service-level middlewares — security/http, the bot detector, a router Lua script — so they never
 * see it; KrakenD answers HEAD there 405 after running them, so they decide on the HEAD answer this
 * gateway adds.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  mustConfig,
  type Running,
  rawRequest,
  send,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from '../helpers.ts'

let backend: TestBackend
const gateways: Running[] = []

before(async () => {
  backend = await startBackend('api')
})
after(async () => {
  await Promise.all(gateways.map((gw) => gw.close()))
  await backend?.close()
})

/** A gateway with these service-level components in front of one endpoint, /x. */
async function gatewayWith(extra: Record<string, unknown>): Promise<Running> {
  const gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: extra,
      endpoints: [{ endpoint: '/x', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }],
    }),
  )
  gateways.push(gw)
  return gw
}

const answer = (gw: Running, method: string, target: string, host = 'gw.example', agent = 'curl/8') =>
  sendRaw(gw.url, rawRequest([`${method} ${target} HTTP/1.1`, `Host: ${host}`, `User-Agent: ${agent}`]))

describe('security/bot-detector (service level): the health route by its decoded path', () => {
  let gw: Running
  before(async () => {
    gw = await gatewayWith({ 'security/bot-detector': { deny: ['evilbot'] } })
  })
  const statusOf = async (method: string, target: string) =>
    (await answer(gw, method, target, 'gw.example', 'evilbot')).status

  test('GET /__heal%74h, /%5f%5fhealth?x=1 and /__heal%74%68 are the health answer for a denied bot; other paths and methods are not', async () => {
    for (const target of ['/__heal%74h', '/%5f%5fhealth?x=1', '/__heal%74%68'])
      assert.equal(await statusOf('GET', target), 200, target)
    assert.equal(await statusOf('GET', '/__health%3Fx'), 403, 'the path is /__health?x')
    assert.equal(await statusOf('GET', '/__heal%2574h'), 403, 'the path is /__heal%74h')
    assert.equal(await statusOf('POST', '/__heal%74h'), 403, "gin's 405 handlers run the middleware")
    assert.equal(await statusOf('GET', '/x'), 403)
  })

  test('over h2c too: the health body for /__heal%74h, 403 for /__health%3Fx', async () => {
    const h2 = (path: string) => send(gw.url, { path, headers: { 'user-agent': 'evilbot' }, http2: true })
    const res = await h2('/__heal%74h')
    assert.equal(res.status, 200)
    assert.equal(JSON.parse(res.text).status, 'ok')
    assert.equal((await h2('/__health%3Fx')).status, 403)
  })
})

describe('HEAD on the health path meets the service-level guards, as in KrakenD', () => {
  test('a Host outside allowed_hosts gets 500 Bad Host, a denied bot 403; a good client gets the HEAD answer', async () => {
    const gw = await gatewayWith({
      'security/http': { allowed_hosts: ['gw.example'] },
      'security/bot-detector': { deny: ['evilbot'] },
    })
    const head = async (target: string, host: string, agent: string) =>
      (await answer(gw, 'HEAD', target, host, agent)).head
    assert.match(await head('/__health', 'evil.example', 'curl/8'), /^HTTP\/1\.1 500 /)
    assert.match(await head('/__heal%74h', 'evil.example', 'curl/8'), /^HTTP\/1\.1 500 /)
    assert.match(await head('/__health', 'gw.example', 'evilbot'), /^HTTP\/1\.1 403 /)
    assert.match(await head('/__health', 'gw.example', 'curl/8'), /^HTTP\/1\.1 200 /)
  })

  test("a refusal there carries gin's Allow: GET, set before its middlewares run (KrakenD CE 2.13.8)", async () => {
    const gw = await gatewayWith({
      'security/http': { allowed_hosts: ['gw.example'], ssl_redirect: true, ssl_host: 'secure.example' },
      'security/bot-detector': { deny: ['evilbot'] },
    })
    const allowOf = async (host: string, agent: string) => {
      const { status, head } = await answer(gw, 'HEAD', '/__health', host, agent)
      return [status, /\r\nAllow: ([^\r]*)/.exec(head)?.[1]]
    }
    assert.deepEqual(await allowOf('evil.example', 'curl/8'), [500, 'GET'])
    assert.deepEqual(await allowOf('gw.example', 'evilbot'), [301, 'GET'])
    const plain = await gatewayWith({ 'security/bot-detector': { deny: ['evilbot'] } })
    const refused = await answer(plain, 'HEAD', '/__health', 'gw.example', 'evilbot')
    assert.deepEqual([refused.status, /\r\nAllow: ([^\r]*)/.exec(refused.head)?.[1]], [403, 'GET'])
    const served = await answer(plain, 'HEAD', '/__health', 'gw.example', 'curl/8')
    assert.deepEqual([served.status, /\r\nAllow:/.test(served.head)], [200, false])
  })
})

describe('modifier/lua-endpoint (service level) and the health route', () => {
  let gw: Running
  before(async () => {
    gw = await gatewayWith({ 'modifier/lua-endpoint': { pre: 'error("boom")' } })
  })
  const statusOf = async (method: string, target: string) => (await answer(gw, method, target)).status

  test('GET on the health path, escaped or not, is the health answer without the script', async () => {
    for (const target of ['/__health', '/__health?x=1', '/__heal%74h', '/%5f%5fhealth?x=1'])
      assert.equal(await statusOf('GET', target), 200, target)
    assert.equal(await statusOf('GET', '/__health%3Fx'), 500, 'the path is /__health?x: the script runs')
  })

  test('HEAD on the health path runs the script first, as KrakenD runs its middlewares before its 405', async () => {
    assert.equal(await statusOf('HEAD', '/__health'), 500)
    assert.equal(await statusOf('GET', '/x'), 500)
  })
})
