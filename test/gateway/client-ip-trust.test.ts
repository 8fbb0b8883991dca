import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { ServerOptions } from '../../src/gateway/config/types.ts'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { clientIp, compileTrustedProxies } from '../../src/gateway/request-headers.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

// Who gin's ClientIP() says the client is, as KrakenD CE configures gin (lura's router/gin engine):
// the expectations are what gin v1.12.0 answered for the same trusted list, peer and header.
const server = {
  appEngine: false,
  forwardedByClientIp: true,
  remoteIpHeaders: ['x-forwarded-for', 'x-real-ip'],
} as ServerOptions
const ip = (trusted: string[], peer: string, xff: string) =>
  clientIp(
    { headers: { 'x-forwarded-for': xff }, socket: { remoteAddress: peer } },
    server,
    compileTrustedProxies(trusted),
  )

describe("trusted_proxies matched as Go's net.IPNet matches", () => {
  test('a 16-byte network that is not IPv4-mapped holds no IPv4 peer', () => {
    assert.equal(ip(['::/0'], '127.0.0.1', '1.2.3.4'), '127.0.0.1')
    assert.equal(ip(['::/0'], '::1', '1.2.3.4'), '1.2.3.4')
    // gin makes a plain ::ffff:127.0.0.1 into ::ffff:127.0.0.1/32: the IPv6 prefix ::/32.
    assert.equal(ip(['::ffff:127.0.0.1'], '127.0.0.1', '1.2.3.4'), '127.0.0.1')
    assert.equal(ip(['::ffff:127.0.0.1'], '::1', '1.2.3.4'), '1.2.3.4')
  })
  test('an IPv4-mapped network is an IPv4 network with the last four bytes of its mask', () => {
    assert.equal(ip(['::ffff:127.0.0.0/104'], '127.0.0.1', '1.2.3.4'), '1.2.3.4')
    assert.equal(ip(['::ffff:0:0/96'], '10.0.0.5', '1.2.3.4'), '1.2.3.4')
    assert.equal(ip(['::ffff:0:0/96'], '::1', '1.2.3.4'), '::1')
  })
  test('hops are walked from the right while trusted, by the same rules', () => {
    assert.equal(ip(['127.0.0.1', '::/0'], '127.0.0.1', '1.2.3.4, 10.0.0.5, ::1'), '10.0.0.5')
    assert.equal(ip(['127.0.0.0/8', '::ffff:0:0/96'], '127.0.0.1', '::1, 10.0.0.5, 9.9.9.9'), '::1')
    assert.equal(ip(['127.0.0.1/000000000032'], '127.0.0.1', '1.2.3.4'), '1.2.3.4')
  })
})

let backend: TestBackend
const gateways: Running[] = []
const start = async (router: Record<string, unknown>) => {
  const gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'client-ip',
      extra_config: { router, 'gwdeploy/runtime': { workers: 1 } },
      endpoints: [
        {
          endpoint: '/ip',
          extra_config: {
            'qos/ratelimit/router': { client_max_rate: 1, client_capacity: 1, strategy: 'ip', every: '1h' },
          },
          backend: [{ host: [backend.origin], url_pattern: '/echo' }],
        },
        { endpoint: '/echo', backend: [{ host: [backend.origin], url_pattern: '/echo' }] },
      ],
    }),
  )
  gateways.push(gw)
  return gw
}
before(async () => {
  backend = await startBackend('api')
})
after(async () => {
  for (const gw of gateways) await gw.close()
  await backend?.close()
})

const forwardedFor = async (gw: Running, headers: Record<string, string | string[]>) => {
  // undici sends a list as that many header lines.
  const res = await send(gw.url, { path: '/echo', headers: headers as Record<string, string> })
  assert.equal(res.status, 200)
  return backend.seen.at(-1)?.headers['x-forwarded-for']
}

describe('the client IP a gateway on 127.0.0.1 works with', () => {
  test('trusted_proxies ["::/0"] does not trust the IPv4 peer: its X-Forwarded-For picks no fresh bucket', async () => {
    const gw = await start({ trusted_proxies: ['::/0'] })
    const first = await send(gw.url, { path: '/ip', headers: { 'x-forwarded-for': '10.0.0.1' } })
    const second = await send(gw.url, { path: '/ip', headers: { 'x-forwarded-for': '10.0.0.2' } })
    assert.deepEqual([first.status, second.status], [200, 429])
    assert.equal(await forwardedFor(gw, { 'x-forwarded-for': '10.0.0.3' }), '127.0.0.1')
  })

  test('empty trusted_proxies and remote_ip_headers keep gin defaults, as lura sets only non-empty lists', async () => {
    const gw = await start({ trusted_proxies: [], remote_ip_headers: [] })
    assert.equal(await forwardedFor(gw, { 'x-forwarded-for': '1.2.3.4' }), '1.2.3.4')
    assert.equal(await forwardedFor(gw, { 'x-real-ip': '5.6.7.8' }), '5.6.7.8')
  })

  test('a remote IP header Node keeps one line of (Referer, Cookie) is read from all its lines, as gin joins them', async () => {
    const gw = await start({ trusted_proxies: ['127.0.0.1'], remote_ip_headers: ['Referer', 'Cookie'] })
    assert.equal(await forwardedFor(gw, { referer: ['1.1.1.1', '2.2.2.2'] }), '2.2.2.2')
    assert.equal(await forwardedFor(gw, { cookie: ['3.3.3.3', '4.4.4.4'] }), '4.4.4.4')
  })

  test("app_engine reads X-Appengine-Remote-Addr's first line only (Header.Get)", async () => {
    const gw = await start({ app_engine: true })
    assert.equal(await forwardedFor(gw, { 'x-appengine-remote-addr': ['9.9.9.9', '8.8.8.8'] }), '9.9.9.9')
    assert.equal(
      await forwardedFor(gw, { 'x-appengine-remote-addr': ['', '8.8.8.8'], 'x-forwarded-for': '1.2.3.4' }),
      '1.2.3.4',
    )
  })
})

describe('router.trusted_proxies that Go cannot read is refused', () => {
  const check = (router: Record<string, unknown>) =>
    validateGatewayConfig({
      version: 3,
      name: 'x',
      extra_config: { router },
      endpoints: [{ endpoint: '/a', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }] }],
    }).errors.map((e) => `${e.location?.path}: ${e.message}`)
  test('a zone, a leading zero, a prefix too long, a string instead of a list', () => {
    assert.match(check({ trusted_proxies: ['10.0.0.1', 'fe80::1%eth0'] }).join('\n'), /trusted_proxies\[1\]/)
    assert.match(check({ trusted_proxies: ['01.2.3.4'] }).join('\n'), /trusted_proxies\[0\]/)
    assert.match(check({ trusted_proxies: ['::/129'] }).join('\n'), /trusted_proxies\[0\]/)
    assert.match(check({ trusted_proxies: '10.0.0.1' }).join('\n'), /must be a list/)
    assert.deepEqual(check({ trusted_proxies: ['::ffff:0:0/96', '127.0.0.1/000000000032'] }), [])
    assert.deepEqual(check({ trusted_proxies: null }), [])
  })
})

describe('router.trusted_proxies with an IPv4 address in IPv6 form', () => {
  const warnings = (trusted_proxies: string[]) =>
    validateGatewayConfig({
      version: 3,
      name: 'x',
      extra_config: { router: { trusted_proxies } },
      endpoints: [{ endpoint: '/a', backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/a' }] }],
    }).warnings.map((w) => `${w.location?.path}: ${w.message} (${w.hint})`)
  test('a plain one warns that gin trusts ::/32 and not the IPv4 proxy; a network in that form matches IPv4 in Go and does not warn', () => {
    assert.deepEqual(warnings(['10.0.0.2', '::ffff:10.0.0.1']), [
      'extra_config.router.trusted_proxies[1]: trusted_proxies entry "::ffff:10.0.0.1" is an IPv4 address written as IPv6: gin appends /32 to it and trusts the IPv6 network ::/32 (peers such as ::1), not the proxy 10.0.0.1, in KrakenD as here (write "10.0.0.1")',
    ])
    assert.deepEqual(warnings(['::ffff:10.0.0.1/128', '::ffff:0:0/96', '::1', '2001:db8::1']), [])
  })

  test('as warned: the IPv4 proxy is not trusted, an IPv6 peer in ::/32 is', async () => {
    const v4 = await start({ trusted_proxies: ['::ffff:127.0.0.1'] })
    assert.equal(await forwardedFor(v4, { 'x-forwarded-for': '9.9.9.9' }), '127.0.0.1')
  })
})
