// modifier/martian steps on the backend URL's scheme and host (url.Modifier and url.Filter's scheme
// and host, port.Modifier, stash.Modifier, url.RegexFilter), as google/martian/v3 runs them in
// KrakenD CE 2.13.8: martian sees lura's URL (scheme://host from the backend's host), Go calls the
// URL's host and port but keeps req.Host as the Host header.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { TLSSocket } from 'node:tls'
import { type Authority, certificateAuthority } from '../../helpers/tls-authority.ts'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from '../helpers.ts'
import { MARTIAN_AT, martianErrors } from './martian-config.ts'

const R = ['request']
const RS = ['request', 'response']
const set = (name: string, value: string) => ({ 'header.Modifier': { scope: R, name, value } })
const group = (...modifiers: unknown[]) => ({ 'modifier/martian': { 'fifo.Group': { scope: R, modifiers } } })
const groupRS = (...modifiers: unknown[]) => ({
  'modifier/martian': { 'fifo.Group': { scope: RS, modifiers } },
})

let a: TestBackend
let b: TestBackend
let gw: Running
let ca: Authority
let dir: string
/** The https backend's port and what it saw: SNI and Host. */
let tlsPort = 0
let tlsClose: () => void = () => {}

type Echo = { backend: string; url: string; headers: Record<string, string | undefined> }
const echo = (text: string) => JSON.parse(text) as Echo
const hostOf = (t: TestBackend) => new URL(t.origin).host
const portOf = (t: TestBackend) => Number(new URL(t.origin).port)

before(async () => {
  a = await startBackend('a')
  b = await startBackend('b', {
    '/rel': { status: 302, location: '/echo/after-rel' },
    '/abs': { status: 302, location: `${a.origin}/echo/after-abs` },
  })
  ca = await certificateAuthority()
  const pair = await ca.issue({ commonName: 'backend', altNames: ['IP:127.0.0.1', 'DNS:localhost'] })
  dir = mkdtempSync(join(tmpdir(), 'martian-origin-'))
  const caFile = join(dir, 'ca.pem')
  writeFileSync(caFile, ca.cert)
  const tls = createServer({ key: pair.key, cert: pair.cert }, (req, res) => {
    const socket = req.socket as TLSSocket
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ sni: socket.servername || '', host: req.headers.host ?? '', url: req.url }))
  })
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve))
  tlsPort = (tls.address() as AddressInfo).port
  tlsClose = () => tls.close()
  const host = [a.origin]
  const noop = (
    endpoint: string,
    url_pattern: string,
    extra: unknown,
    more: Record<string, unknown> = {},
  ) => ({
    endpoint,
    output_encoding: 'no-op',
    input_query_strings: ['q'],
    backend: [{ host, url_pattern, encoding: 'no-op', extra_config: extra, ...more }],
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'martian-origin',
      client_tls: { ca_certs: [caFile] },
      endpoints: [
        noop('/host', '/echo/h', group({ 'url.Modifier': { scope: R, host: hostOf(b) } })),
        noop('/port', '/echo/p', group({ 'port.Modifier': { scope: R, port: portOf(b) } })),
        noop(
          '/cleared',
          '/echo/c',
          group(
            { 'header.Blacklist': { scope: R, names: ['Host'] } },
            { 'url.Modifier': { scope: R, host: hostOf(b) } },
          ),
        ),
        noop(
          '/own-host',
          '/echo/o',
          group(set('Host', 'custom.example'), { 'url.Modifier': { scope: R, host: hostOf(b) } }),
        ),
        noop(
          '/stash',
          '/echo/s#frag ment',
          groupRS({ 'stash.Modifier': { scope: RS, headerName: 'X-Stash' } }),
        ),
        noop(
          '/map-host',
          '/echo/m',
          group(
            { 'port.Modifier': { scope: R, remove: true } },
            {
              'header.RegexFilter': {
                scope: R,
                header: 'Host',
                regex: '^127\\.0\\.0\\.1$',
                modifier: set('X-Map', 'removed'),
              },
            },
            { 'port.Modifier': { scope: R, defaultForScheme: true } },
            { 'stash.Modifier': { scope: R, headerName: 'X-Default' } },
            { 'port.Modifier': { scope: R, port: portOf(b) } },
          ),
        ),
        noop(
          '/regex',
          '/echo/r',
          group(
            {
              'url.RegexFilter': {
                scope: R,
                regex: `^http://127\\.0\\.0\\.1:${portOf(a)}/echo/r\\?q=1$`,
                modifier: set('X-Before', 'match'),
                else: set('X-Before', 'else'),
              },
            },
            { 'url.Modifier': { scope: R, host: hostOf(b) } },
            {
              'url.RegexFilter': {
                scope: R,
                regex: `:${portOf(b)}/`,
                modifier: set('X-After', 'match'),
              },
            },
          ),
        ),
        noop(
          '/url-filter',
          '/echo/f',
          group(
            {
              'url.Filter': {
                scope: R,
                scheme: 'http',
                host: `*.0.0.1:${portOf(a)}`,
                modifier: set('X-Wild', 'match'),
                else: set('X-Wild', 'else'),
              },
            },
            {
              'url.Filter': {
                scope: R,
                host: '*.0.1',
                modifier: set('X-No-Port', 'match'),
                else: set('X-No-Port', 'else'),
              },
            },
            {
              'url.Filter': {
                scope: R,
                scheme: 'https',
                modifier: set('X-Https', 'match'),
                else: set('X-Https', 'else'),
              },
            },
          ),
        ),
        noop('/relative', '/rel', group({ 'url.Modifier': { scope: R, host: hostOf(b) } })),
        noop(
          '/absolute',
          '/abs',
          group(set('Host', 'custom.example'), { 'url.Modifier': { scope: R, host: hostOf(b) } }),
        ),
        noop(
          '/tls-ip',
          '/who',
          group(set('Host', 'other.example'), {
            'url.Modifier': { scope: R, scheme: 'https', host: `127.0.0.1:${tlsPort}` },
          }),
        ),
        noop(
          '/tls-name',
          '/who',
          group(set('Host', 'other.example'), {
            'url.Modifier': { scope: R, scheme: 'https', host: `localhost:${tlsPort}` },
          }),
        ),
        noop('/written', '/echo/w', groupRS({ 'stash.Modifier': { scope: RS, headerName: 'X-Stash' } }), {
          host: [`http://LocalHost:${portOf(a)}`],
        }),
        noop('/written-tls', '/who', groupRS({ 'stash.Modifier': { scope: RS, headerName: 'X-Stash' } }), {
          host: [`https://LocalHost:${tlsPort}`],
        }),
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  await a?.close()
  await b?.close()
  tlsClose()
  rmSync(dir, { recursive: true, force: true })
})

describe('modifier/martian on the backend URL: the call goes where the URL says, with the Host Go keeps', () => {
  test("url.Modifier's host sends the call to that host; the Host header stays the backend's", async () => {
    const sent = echo((await send(gw.url, { path: '/host?q=1' })).text)
    assert.equal(sent.backend, 'b')
    assert.equal(sent.url, '/echo/h?q=1')
    assert.equal(sent.headers.host, hostOf(a))
  })

  test("port.Modifier's port sends the call to that port; the Host header stays the backend's", async () => {
    const sent = echo((await send(gw.url, { path: '/port' })).text)
    assert.equal(sent.backend, 'b')
    assert.equal(sent.headers.host, hostOf(a))
  })

  test('a Host removed by header.Blacklist becomes the new URL host; one a modifier set stays', async () => {
    const cleared = echo((await send(gw.url, { path: '/cleared' })).text)
    assert.equal(cleared.backend, 'b')
    assert.equal(cleared.headers.host, hostOf(b))
    const own = echo((await send(gw.url, { path: '/own-host' })).text)
    assert.equal(own.backend, 'b')
    assert.equal(own.headers.host, 'custom.example')
  })

  test("stash.Modifier writes URL.String (fragment included) to the request, and the request's to the answer", async () => {
    const res = await send(gw.url, { path: '/stash?q=a%20b' })
    const url = `http://${hostOf(a)}/echo/s?q=a+b#frag%20ment`
    assert.equal(echo(res.text).headers['x-stash'], url)
    assert.equal(res.headers['x-stash'], url)
  })

  test("port.Modifier's remove and defaultForScheme, and the header map's Host header.RegexFilter reads", async () => {
    const sent = echo((await send(gw.url, { path: '/map-host' })).text)
    assert.equal(sent.backend, 'b')
    assert.equal(sent.headers['x-map'], 'removed')
    assert.equal(sent.headers['x-default'], 'http://127.0.0.1:80/echo/m')
    assert.equal(sent.headers.host, hostOf(a), 'the header map Host is never sent')
  })

  test("url.RegexFilter matches the URL's text, after a url.Modifier the new one", async () => {
    const matched = echo((await send(gw.url, { path: '/regex?q=1' })).text)
    assert.equal(matched.headers['x-before'], 'match')
    assert.equal(matched.headers['x-after'], 'match')
    const other = echo((await send(gw.url, { path: '/regex?q=2' })).text)
    assert.equal(other.headers['x-before'], 'else')
  })

  test("url.Filter's scheme and host (martian's MatchHost: * stands for one label)", async () => {
    const sent = echo((await send(gw.url, { path: '/url-filter' })).text)
    assert.equal(sent.headers['x-wild'], 'match')
    assert.equal(sent.headers['x-no-port'], 'else', 'the host is matched with its port')
    assert.equal(sent.headers['x-https'], 'else')
  })

  test('a redirect keeps the Host Go kept for a Location without a scheme only', async () => {
    const relative = echo((await send(gw.url, { path: '/relative' })).text)
    assert.equal(relative.backend, 'b')
    assert.equal(relative.url, '/echo/after-rel')
    assert.equal(relative.headers.host, hostOf(a))
    const absolute = echo((await send(gw.url, { path: '/absolute' })).text)
    assert.equal(absolute.backend, 'a')
    assert.equal(absolute.url, '/echo/after-abs')
    assert.equal(absolute.headers.host, hostOf(a), "Go drops the Host it set: the new URL's")
  })

  test("https: the call goes over TLS to the new host, SNI names the URL's host (none for an IP), not Host's", async () => {
    const ip = JSON.parse((await send(gw.url, { path: '/tls-ip' })).text)
    assert.deepEqual(ip, { sni: '', host: 'other.example', url: '/who' })
    const name = JSON.parse((await send(gw.url, { path: '/tls-name' })).text)
    assert.deepEqual(name, { sni: 'localhost', host: 'other.example', url: '/who' })
  })

  test('martian sees the host as lura writes it (case kept), and Go sends it as the Host header', async () => {
    const plain = await send(gw.url, { path: '/written' })
    const url = `http://LocalHost:${portOf(a)}/echo/w`
    assert.equal(echo(plain.text).headers['x-stash'], url)
    assert.equal(echo(plain.text).headers.host, `LocalHost:${portOf(a)}`)
    assert.equal(plain.headers['x-stash'], url)
    // Over TLS the name is checked against the certificate and sent in SNI without the port.
    const tls = await send(gw.url, { path: '/written-tls' })
    assert.equal(tls.status, 200)
    assert.deepEqual(JSON.parse(tls.text), { sni: 'localhost', host: `LocalHost:${tlsPort}`, url: '/who' })
    assert.equal(tls.headers['x-stash'], `https://LocalHost:${tlsPort}/who`)
  })
})

const pathOf = (martian: unknown) => martianErrors(martian)[0]?.location?.path

describe('modifier/martian on the backend URL: what is refused', () => {
  test('url.Modifier: a scheme other than http(s), a host that is not host[:port]', () => {
    const url = (fields: Record<string, unknown>) => ({ 'url.Modifier': { scope: R, ...fields } })
    assert.equal(pathOf(url({ scheme: 'ftp' })), `${MARTIAN_AT}.url.Modifier.scheme`)
    assert.equal(pathOf(url({ scheme: 'HTTP' })), `${MARTIAN_AT}.url.Modifier.scheme`)
    for (const host of ['a/b', 'a:0', 'a:70000', '[::1]:80', 'u@a', 'a:'])
      assert.equal(pathOf(url({ host })), `${MARTIAN_AT}.url.Modifier.host`, host)
    assert.deepEqual(martianErrors(url({ scheme: 'https', host: 'api.example.com:8443' })), [])
  })

  test('port.Modifier: exactly one of port, defaultForScheme and remove; a whole port in range; no response scope', () => {
    const port = (fields: Record<string, unknown>, scope = R) => ({ 'port.Modifier': { scope, ...fields } })
    assert.equal(pathOf(port({})), `${MARTIAN_AT}.port.Modifier`)
    assert.equal(pathOf(port({ port: 81, remove: true })), `${MARTIAN_AT}.port.Modifier`)
    assert.equal(pathOf(port({ port: 81.5 })), `${MARTIAN_AT}.port.Modifier.port`)
    assert.equal(pathOf(port({ port: '81' })), `${MARTIAN_AT}.port.Modifier.port`)
    assert.equal(pathOf(port({ port: 70000 })), `${MARTIAN_AT}.port.Modifier.port`)
    assert.equal(pathOf(port({ remove: 'yes' })), `${MARTIAN_AT}.port.Modifier.remove`)
    assert.equal(pathOf(port({ port: 81 }, RS)), `${MARTIAN_AT}.port.Modifier.scope`)
    assert.equal(pathOf(port({ prot: 81 })), `${MARTIAN_AT}.port.Modifier.prot`)
    assert.deepEqual(martianErrors(port({ defaultForScheme: true, remove: false, port: 0 })), [])
  })

  test('stash.Modifier: the answer side alone, Host, names a redirect changes on the answer side', () => {
    const stash = (headerName: unknown, scope = R) => ({ 'stash.Modifier': { scope, headerName } })
    assert.equal(pathOf(stash('X-S', ['response'])), `${MARTIAN_AT}.stash.Modifier.scope`)
    assert.equal(pathOf(stash('Host')), `${MARTIAN_AT}.stash.Modifier.headerName`)
    assert.equal(pathOf(stash('Cookie', RS)), `${MARTIAN_AT}.stash.Modifier.headerName`)
    assert.equal(pathOf(stash('Content-Length')), `${MARTIAN_AT}.stash.Modifier.headerName`)
    // Go 1.25 copies Content-Language to a redirect's GET: the answer side reads it as sent.
    assert.deepEqual(martianErrors(stash('Content-Language', RS)), [])
    assert.equal(pathOf(stash('Proxy-Authorization', RS)), `${MARTIAN_AT}.stash.Modifier.headerName`)
    assert.deepEqual(martianErrors(stash('Content-Language')), [])
    assert.equal(pathOf(stash('')), `${MARTIAN_AT}.stash.Modifier.headerName`)
    assert.equal(pathOf(stash(undefined)), `${MARTIAN_AT}.stash.Modifier.headerName`)
    assert.deepEqual(martianErrors(stash('Cookie')), [])
  })

  test('url.RegexFilter: a regexp Go refuses, no modifier (an answer side is accepted)', () => {
    const filter = (fields: Record<string, unknown>) => ({
      'url.RegexFilter': { scope: R, regex: '.', modifier: set('X-A', '1'), ...fields },
    })
    assert.equal(pathOf(filter({ regex: '(' })), `${MARTIAN_AT}.url.RegexFilter.regex`)
    assert.deepEqual(
      martianErrors(
        filter({ scope: RS, modifier: { 'header.Modifier': { scope: RS, name: 'X-A', value: '1' } } }),
      ),
      [],
    )
    assert.equal(pathOf(filter({ modifier: undefined })), `${MARTIAN_AT}.url.RegexFilter.modifier`)
    assert.deepEqual(martianErrors(filter({ else: set('X-B', '1') })), [])
  })
})
