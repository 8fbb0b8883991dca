// lura's "dns" service discovery (sd/dnssrv), against a real DNS server on 127.0.0.1: a backend's
// first host is an SRV name, its instances (lowest priority, repeated by weight, targets rooted:
// `api-1.gw.test.:PORT`, the Host header Go sends, dialled by their A records from the same DNS
// server, as Go's resolver asks DNS for a rooted name) looked up before the gateway serves and again
// every dns_cache_ttl; a failed lookup keeps the last instances; none found fails the call with
// `no hosts available`. Configs KrakenD would run with no instance at all are refused. Checked
// against KrakenD CE 2.13.8 with /etc/resolv.conf pointing at such a server (a mount namespace):
// the same Host header, weights, errors; KrakenD's `localhost.` target fails too (DNS, not /etc/hosts).
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { TLSSocket } from 'node:tls'
import { validateGatewayConfig } from '../../src/gateway/config/validate.ts'
import { goNameList, goResolverServer, parseResolvConf } from '../../src/gateway/go-dns-names.ts'
import { goReason } from '../../src/gateway/go-http.ts'
import { srvInstances } from '../../src/gateway/srv-discovery.ts'
import { certificateAuthority } from '../helpers/tls-authority.ts'
import { startDnsServer, type TestDnsServer } from './dns-server.ts'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

describe('instances from SRV records, as lura orders and weighs them', () => {
  const r = (name: string, port: number, priority: number, weight: number) => ({
    name,
    port,
    priority,
    weight,
  })

  test('the lowest priority only, heaviest first, repeated by weight over their common divisor', () => {
    assert.deepEqual(
      srvInstances(
        [r('b.svc', 2, 0, 20), r('a.svc', 1, 0, 70), r('c.svc', 3, 0, 10), r('z', 9, 1, 100)],
        'http',
      ),
      [
        'http://a.svc.:1',
        ...Array(7).fill('http://a.svc.:1').slice(1),
        'http://b.svc.:2',
        'http://b.svc.:2',
        'http://c.svc.:3',
      ],
    )
  })

  test('weights summing past 100 are scaled down; one scaled to 0 drops its record; https scheme', () => {
    assert.deepEqual(srvInstances([r('a', 1, 5, 300), r('b', 2, 5, 100)], 'https'), [
      'https://a.:1',
      'https://a.:1',
      'https://a.:1',
      'https://b.:2',
    ])
    // 1000 and 1 scale to 99 and 0, whose common divisor leaves 1 and 0
    assert.deepEqual(srvInstances([r('a', 1, 0, 1000), r('b', 2, 0, 1)], 'http'), ['http://a.:1'])
    assert.deepEqual(srvInstances([r('a', 1, 0, 0)], 'http'), [])
  })

  test('equal weights: by target, then port', () => {
    assert.deepEqual(srvInstances([r('b', 1, 0, 5), r('a', 2, 0, 5), r('a', 1, 0, 5)], 'http'), [
      'http://a.:1',
      'http://a.:2',
      'http://b.:1',
    ])
  })
})

describe("Go's name list for a lookup", () => {
  const conf = parseResolvConf(
    'nameserver 10.0.0.1\nsearch ns.svc.cluster.local svc.cluster.local\noptions ndots:5\n',
    'h',
  )
  test('a rooted name alone; search domains first below ndots', () => {
    assert.deepEqual(goNameList('_http._tcp.api.', conf), ['_http._tcp.api.'])
    assert.deepEqual(goNameList('_http._tcp.api', conf), [
      '_http._tcp.api.ns.svc.cluster.local.',
      '_http._tcp.api.svc.cluster.local.',
      '_http._tcp.api.',
    ])
  })
  test("a lookup error names the first nameserver, as Go's resolver does", () => {
    assert.equal(goResolverServer('search x\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n'), '10.0.0.2:53')
    assert.equal(goResolverServer('nameserver fd00::1'), '[fd00::1]:53')
    assert.equal(goResolverServer(''), '127.0.0.1:53')
    const server = goResolverServer(
      existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : '',
    )
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND x.invalid'), { code: 'ENOTFOUND' })
    assert.equal(
      goReason(notFound, 'http://x.invalid:8080'),
      `dial tcp: lookup x.invalid on ${server}: no such host`,
    )
  })

  test("the name first from ndots dots; no search line: the host name's domain", () => {
    const plain = parseResolvConf('options ndots:1', 'node1.example.org')
    assert.deepEqual(goNameList('_a._tcp.api', plain), ['_a._tcp.api.', '_a._tcp.api.example.org.'])
    // Go never asks DNS for a .onion name, but does for one a search domain follows
    assert.deepEqual(goNameList('x.onion', plain), ['x.onion.example.org.'])
    assert.deepEqual(goNameList('x.onion.', plain), [])
  })
})

let dns: TestDnsServer
let a: RawBackend
let b: RawBackend
let gw: Running
const SRV = '_api._tcp.gw.test.'
const dnsBackend = (host: string) => ({
  host: [host],
  sd: 'dns',
  disable_host_sanitize: true,
  url_pattern: '/b',
})

before(async () => {
  dns = await startDnsServer()
  a = await startRawBackend()
  b = await startRawBackend()
  const port = (backend: RawBackend) => Number(new URL(backend.origin).port)
  dns.addresses.set('api-1.gw.test.', '127.0.0.1')
  dns.addresses.set('api-2.gw.test.', '127.0.0.1')
  dns.records.set(SRV, [
    { name: 'api-1.gw.test', port: port(a), priority: 10, weight: 50 },
    { name: 'api-2.gw.test', port: port(b), priority: 10, weight: 50 },
    { name: 'api-1.gw.test', port: 9, priority: 20, weight: 100 },
  ])
  dns.records.set('_gone._tcp.gw.test.', [{ name: 'gone.gw.test', port: 9, priority: 0, weight: 1 }])
  gw = await startGateway(
    mustConfig({
      version: 3,
      dns_cache_ttl: '1s',
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        { endpoint: '/srv', backend: [dnsBackend(SRV)] },
        { endpoint: '/none', backend: [dnsBackend('_none._tcp.gw.test.')] },
        { endpoint: '/gone', backend: [dnsBackend('_gone._tcp.gw.test.')] },
      ],
    }),
    { dnsServers: [dns.address] },
  )
})
after(async () => {
  await gw?.close()
  await a?.close()
  await b?.close()
  await dns?.close()
})

const hostLine = (backend: RawBackend) => /\r\nHost: ([^\r]*)/.exec(backend.head())?.[1]

describe('sd: "dns" against a DNS server', () => {
  test('looked up before serving: calls go round the instances, dialled by their A records, Host the rooted target', async () => {
    for (let i = 0; i < 4; i++) assert.equal((await send(gw.url, { path: '/srv' })).status, 200)
    assert.equal(a.requests.length, 2)
    assert.equal(b.requests.length, 2)
    assert.equal(hostLine(a), `api-1.gw.test.:${new URL(a.origin).port}`)
    assert.equal(hostLine(b), `api-2.gw.test.:${new URL(b.origin).port}`)
    assert.ok(dns.asked.includes(SRV))
  })

  test('a name without records: every call fails with lura\'s "no hosts available"', async () => {
    const res = await send(gw.url, { path: '/none' })
    assert.equal(res.status, 500)
    assert.equal(res.text, 'no hosts available')
  })

  test('a target DNS does not resolve fails the call (KrakenD: also in /etc/hosts names such as localhost.)', async () => {
    const res = await send(gw.url, { path: '/gone' })
    assert.equal(res.status, 500)
    assert.match(
      res.text,
      /^Get "http:\/\/gone\.gw\.test\.:9\/b": dial tcp: lookup gone\.gw\.test\. on 127\.0\.0\.1:\d+: no such host$/,
    )
  })

  test('looked up again every dns_cache_ttl; a failed lookup keeps the last instances', async () => {
    dns.records.set(SRV, [
      { name: 'api-2.gw.test', port: Number(new URL(b.origin).port), priority: 0, weight: 1 },
    ])
    // bounded: the next lookup is due within about a second
    let onlyB = 0
    for (let i = 0; i < 60 && onlyB < 4; i++) {
      const [seenA, seenB] = [a.requests.length, b.requests.length]
      await send(gw.url, { path: '/srv' })
      onlyB = a.requests.length === seenA && b.requests.length === seenB + 1 ? onlyB + 1 : 0
      if (onlyB === 0) await sleep(100)
    }
    assert.equal(onlyB, 4, 'the calls never moved to the one instance left')
    const stillA = a.requests.length
    dns.records.set(SRV, 'servfail')
    const asked = dns.asked.length
    for (let i = 0; i < 60 && dns.asked.length < asked + 2; i++) await sleep(100)
    assert.ok(dns.asked.length >= asked + 2, 'no lookup after the failure')
    for (let i = 0; i < 3; i++) assert.equal((await send(gw.url, { path: '/srv' })).status, 200)
    assert.equal(a.requests.length, stillA)
  })
})

describe('sd: "dns" with sd_scheme https', () => {
  test("SNI is the target without its root dot (crypto/tls's hostnameInSNI), its certificate checked by that name", async () => {
    const authority = await certificateAuthority()
    const pair = await authority.issue({ commonName: 'api-3', altNames: ['DNS:api-3.gw.test'] })
    const names: string[] = []
    const server = createHttpsServer(pair, (req, res) => {
      names.push(String((req.socket as TLSSocket).servername))
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"tls":true}')
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const dir = mkdtempSync(join(tmpdir(), 'srv-tls-'))
    const caFile = join(dir, 'ca.pem')
    writeFileSync(caFile, authority.cert)
    dns.addresses.set('api-3.gw.test.', '127.0.0.1')
    dns.records.set('_tls._tcp.gw.test.', [
      { name: 'api-3.gw.test', port: (server.address() as AddressInfo).port, priority: 0, weight: 1 },
    ])
    const tlsGateway = await startGateway(
      mustConfig({
        version: 3,
        client_tls: { ca_certs: [caFile] },
        extra_config: { router: { return_error_msg: true } },
        endpoints: [
          { endpoint: '/tls', backend: [{ ...dnsBackend('_tls._tcp.gw.test.'), sd_scheme: 'https' }] },
        ],
      }),
      { dnsServers: [dns.address] },
    )
    try {
      const res = await send(tlsGateway.url, { path: '/tls' })
      assert.equal(res.status, 200, res.text)
      assert.equal(res.text, '{"tls":true}')
      assert.deepEqual(names, ['api-3.gw.test'])
    } finally {
      await tlsGateway.close()
      server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('sd: "dns" configs KrakenD would run with no instance', () => {
  const errorsOf = (backend: Record<string, unknown>) =>
    validateGatewayConfig({
      version: 3,
      endpoints: [{ endpoint: '/x', backend: [{ url_pattern: '/b', ...backend }] }],
    })
  const at = (backend: Record<string, unknown>) => errorsOf(backend).errors.map((e) => e.location?.path)

  test('host sanitization on, a name Go does not look up, a scheme Go cannot call, no host', () => {
    assert.deepEqual(at({ host: ['_api._tcp.svc'], sd: 'dns' }), ['endpoints[0].backend[0].sd'])
    assert.deepEqual(at({ host: ['10.0.0.1'], sd: 'dns', disable_host_sanitize: true }), [
      'endpoints[0].backend[0].host[0]',
    ])
    assert.deepEqual(at({ host: ['http://svc:80'], sd: 'dns', disable_host_sanitize: true }), [
      'endpoints[0].backend[0].host[0]',
    ])
    assert.deepEqual(
      at({ host: ['_api._tcp.svc'], sd: 'dns', disable_host_sanitize: true, sd_scheme: 'ftp' }),
      ['endpoints[0].backend[0].sd_scheme'],
    )
    assert.deepEqual(at({ sd: 'dns', disable_host_sanitize: true }), ['endpoints[0].backend[0].host'])
    assert.deepEqual(at({ host: ['http://svc:8080'], sd: 'consul' }), ['endpoints[0].backend[0].sd'])
  })

  test('accepted: an SRV name with sanitization off (HTTPS in any case); a second host warns', () => {
    const ok = errorsOf({
      host: ['_api._tcp.svc', '_b._tcp.svc'],
      sd: 'dns',
      disable_host_sanitize: true,
      sd_scheme: 'HTTPS',
    })
    assert.deepEqual(ok.errors, [])
    assert.deepEqual(
      ok.warnings.map((w) => w.location?.path).filter((path) => path?.startsWith('endpoints')),
      ['endpoints[0].backend[0].host'],
    )
  })
})
