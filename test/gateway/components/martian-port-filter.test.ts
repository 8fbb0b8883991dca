// martian's port.Filter as KrakenD CE 2.13.8 runs it: its modifier runs when the backend URL's port
// (the scheme's default when the URL names none) is `port`, on the request and on the answer (the
// last hop's URL). On the answer, a URL without a port and a `port` that is not the default goes
// to net.SplitHostPort, whose error fails the call; on the request, a host with a colon but no
// port ([::1]) fails it before it is sent. Checked against KrakenD CE 2.13.8: the krakend-diff
// suite martian-gaps, and a backend named backend.test reached through HTTP_PROXY (both answer
// 500 "address backend.test: missing port in address").
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'
import { MARTIAN_AT, martianErrors, martianGatewayConfig } from './martian-config.ts'

const set = (name: string) => ({ 'header.Modifier': { name, value: 'yes' } })

/** A no-op endpoint at `path` whose backend carries this martian config. */
const endpoint = (path: string, host: string, martian: unknown, backend: Record<string, unknown> = {}) => ({
  endpoint: path,
  output_encoding: 'no-op',
  backend: [
    {
      host: [host],
      url_pattern: '/echo',
      encoding: 'no-op',
      ...backend,
      extra_config: { 'modifier/martian': martian },
    },
  ],
})

let backend: TestBackend
/** A forward proxy that answers every request itself, as the backend named backend.test. */
let proxy: Server
let gw: Running
let proxied: Running

before(async () => {
  backend = await startBackend('a')
  proxy = createServer((req, res) => {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ url: req.url, headers: req.headers }))
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const port = Number(new URL(backend.origin).port)
  gw = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        endpoint('/match', backend.origin, { 'port.Filter': { port, modifier: set('X-Port') } }),
        endpoint('/other', backend.origin, { 'port.Filter': { port: 80, modifier: set('X-Port') } }),
        endpoint('/answer', backend.origin, {
          'port.Filter': { scope: ['response'], port, modifier: set('X-Answer') },
        }),
        endpoint(
          '/ipv6',
          'http://[::1]',
          { 'port.Filter': { port: 80, modifier: set('X-Port') } },
          { disable_host_sanitize: true },
        ),
      ],
    }),
  )
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
  proxied = await startGateway(
    mustConfig({
      version: 3,
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        endpoint('/default', 'http://backend.test', { 'port.Filter': { port: 80, modifier: set('X-Port') } }),
        endpoint('/not-default', 'http://backend.test', {
          'port.Filter': { port: 8080, modifier: set('X-Port') },
        }),
        // Go's http.NewRequest drops an empty port: lura's URL.Host is backend.test.
        endpoint(
          '/empty-port',
          'http://backend.test:',
          { 'port.Filter': { scope: ['request'], port: 80, modifier: set('X-Port') } },
          { disable_host_sanitize: true },
        ),
        endpoint('/request-only', 'http://backend.test', {
          'port.Filter': { scope: ['request'], port: 8080, modifier: set('X-Port') },
        }),
      ],
    }),
    { environ: { HTTP_PROXY: proxyUrl } },
  )
})
after(async () => {
  await gw?.close()
  await proxied?.close()
  proxy?.close()
  await backend?.close()
})

describe('martian port.Filter', () => {
  test("runs its modifier on the backend URL's port, on the request and on the answer", async () => {
    const matched = await send(gw.url, { path: '/match' })
    assert.equal(backend.seen.at(-1)?.headers['x-port'], 'yes')
    assert.equal(matched.headers['x-port'], 'yes')
    const other = await send(gw.url, { path: '/other' })
    assert.equal(backend.seen.at(-1)?.headers['x-port'], undefined)
    assert.equal(other.headers['x-port'], undefined)
    const answer = await send(gw.url, { path: '/answer' })
    assert.equal(backend.seen.at(-1)?.headers['x-answer'], undefined)
    assert.equal(answer.headers['x-answer'], 'yes')
  })

  test("compares a URL without a port with its scheme's default", async () => {
    const res = await send(proxied.url, { path: '/default' })
    assert.equal(res.status, 200)
    assert.equal(res.headers['x-port'], 'yes')
    assert.equal(JSON.parse(res.text).headers['x-port'], 'yes')
  })

  test('reads a URL written with an empty port as Go does, without it', async () => {
    const res = await send(proxied.url, { path: '/empty-port' })
    assert.equal(res.status, 200, res.text)
    assert.equal(JSON.parse(res.text).headers['x-port'], 'yes')
  })

  test('fails the call on the answer side when that URL has no port and the filter another', async () => {
    const res = await send(proxied.url, { path: '/not-default' })
    assert.equal(res.status, 500)
    assert.equal(res.text, 'address backend.test: missing port in address')
    const requestOnly = await send(proxied.url, { path: '/request-only' })
    assert.equal(requestOnly.status, 200)
    assert.equal(JSON.parse(requestOnly.text).headers['x-port'], undefined)
  })

  test('fails the call unsent when the host has a colon but no port', async () => {
    const res = await send(gw.url, { path: '/ipv6' })
    assert.equal(res.status, 500)
    assert.equal(res.text, 'address [::1]: missing port in address')
  })
})

describe('martian port.Filter configs', () => {
  test('an "else" (never run), a port that is no number and a missing modifier are refused', () => {
    const at = `${MARTIAN_AT}.port.Filter`
    const withElse = martianErrors({ 'port.Filter': { port: 80, modifier: set('X-A'), else: set('X-B') } })
    assert.equal(withElse[0]?.location?.path, `${at}.else`)
    assert.equal(
      martianErrors({ 'port.Filter': { port: '80', modifier: set('X-A') } })[0]?.location?.path,
      `${at}.port`,
    )
    assert.equal(martianErrors({ 'port.Filter': { port: 80 } })[0]?.location?.path, `${at}.modifier`)
  })

  test('a port no URL has is warned about', () => {
    const result = validateGatewayConfig(
      martianGatewayConfig(
        'http://127.0.0.1:19',
        { 'port.Filter': { modifier: set('X-A') } },
        {},
        { url_pattern: '/a' },
      ),
    )
    assert.deepEqual(result.errors, [])
    assert.match(result.warnings.map((w) => w.message).join('\n'), /port\.Filter on port 0/)
  })
})
