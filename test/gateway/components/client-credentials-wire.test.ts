// auth/client-credentials as KrakenD CE sends it, found by differential fuzzing against
// krakend-oauth2-clientcredentials over golang.org/x/oauth2: every caller waiting on a failing token
// endpoint asks it again (oauth2.ReuseTokenSource's mutex), and x/oauth2's Transport, below Go's
// client, asks for a token on every redirect hop, fetching one when needed.
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { mustConfig, type Running, sendRaw, startGateway } from '../helpers.ts'
import { type RawBackend, startRawBackend } from '../raw-backend.ts'

let idp: Server
let backend: RawBackend
let redirector: Server
/** A backend whose answers may be cached for a minute (node:http adds the Date a cache needs). */
let cacheable: Server
let cacheableCalls = 0
let gw: Running
/** Token requests by path; `/short` tokens expire within x/oauth2's 10 s margin, `/down` fails. */
const tokenCalls: Record<string, number> = {}
/** The Authorization of each /userinfo token request. */
const userinfoAuthorization: string[] = []

before(async () => {
  idp = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] as string
    tokenCalls[path] = (tokenCalls[path] ?? 0) + 1
    req.resume()
    if (path === '/gzip') {
      // Answers gzip only to a client that asks for it, as a compressing token endpoint does.
      if (req.headers['accept-encoding'] !== 'gzip') {
        res.writeHead(406, { 'content-type': 'text/plain' }).end('asked for no gzip')
        return
      }
      const body = gzipSync(JSON.stringify({ access_token: 'zipped', expires_in: 3600 }))
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(body)
      return
    }
    if (path === '/utf8') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"t\\u00e9k\\u20ac"}')
      return
    }
    if (path === '/form-bytes') {
      res
        .writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' })
        .end('access_token=%FF%C3%A9')
      return
    }
    if (path === '/once' && tokenCalls[path] > 1) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('down')
      return
    }
    if (path === '/userinfo') {
      // Refuses the client's Basic credentials: x/oauth2 sends them in the body next.
      userinfoAuthorization.push(req.headers.authorization ?? '')
      const refused = req.headers.authorization === `Basic ${Buffer.from('c:s').toString('base64')}`
      res
        .writeHead(refused ? 401 : 200, { 'content-type': 'application/json' })
        .end(refused ? '{"error":"invalid_client"}' : '{"access_token":"ui"}')
      return
    }
    if (path === '/down') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('down')
      return
    }
    const expires = path === '/short' || path === '/once' ? 5 : 3600
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ access_token: `${path.slice(1)}-${tokenCalls[path]}`, expires_in: expires }))
  })
  idp.listen(0, '127.0.0.1')
  await new Promise((resolve) => idp.once('listening', resolve))
  backend = await startRawBackend()
  // Sends /same on to the raw backend's port on the same host (Go compares host names, not ports),
  // /cross to it by another host name (localhost).
  const sameHost = backend.origin
  const crossHost = backend.origin.replace('127.0.0.1', 'localhost')
  redirector = createServer((req, res) => {
    req.resume()
    const to = req.url?.startsWith('/cross') ? crossHost : sameHost
    res.writeHead(302, { location: `${to}/after` }).end()
  })
  redirector.listen(0, '127.0.0.1')
  await new Promise((resolve) => redirector.once('listening', resolve))
  cacheable = createServer((req, res) => {
    req.resume()
    cacheableCalls += 1
    res
      .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' })
      .end('{"ok":true}')
  })
  cacheable.listen(0, '127.0.0.1')
  await new Promise((resolve) => cacheable.once('listening', resolve))
  const token = (path: string) => `http://127.0.0.1:${(idp.address() as AddressInfo).port}${path}`
  const redirecting = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`
  const cc = (path: string) => ({
    'auth/client-credentials': { client_id: 'c', client_secret: 's', token_url: token(path) },
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/down',
          concurrent_calls: 2,
          backend: [{ host: [backend.origin], url_pattern: '/never', extra_config: cc('/down') }],
        },
        {
          endpoint: '/cached',
          backend: [
            {
              host: [`http://127.0.0.1:${(cacheable.address() as AddressInfo).port}`],
              url_pattern: '/cached',
              extra_config: { 'qos/http-cache': {}, ...cc('/once') },
            },
          ],
        },
        {
          endpoint: '/userinfo',
          backend: [
            {
              host: [backend.origin],
              url_pattern: '/userinfo',
              extra_config: {
                'auth/client-credentials': {
                  client_id: 'c',
                  client_secret: 's',
                  token_url: token('/userinfo').replace('http://', 'http://u:p%40@'),
                },
              },
            },
          ],
        },
        {
          endpoint: '/utf8',
          backend: [{ host: [backend.origin], url_pattern: '/utf8', extra_config: cc('/utf8') }],
        },
        {
          endpoint: '/form-bytes',
          backend: [{ host: [backend.origin], url_pattern: '/form-bytes', extra_config: cc('/form-bytes') }],
        },
        {
          endpoint: '/gzip',
          backend: [{ host: [backend.origin], url_pattern: '/zipped', extra_config: cc('/gzip') }],
        },
        {
          endpoint: '/same',
          backend: [{ host: [redirecting], url_pattern: '/same', extra_config: cc('/short') }],
        },
        {
          endpoint: '/cross',
          backend: [{ host: [redirecting], url_pattern: '/cross', extra_config: cc('/short') }],
        },
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  await backend?.close()
  idp?.close()
  redirector?.close()
  cacheable?.close()
})

const get = (path: string) => sendRaw(gw.url, `GET ${path} HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n`)

test('concurrent calls waiting on a failing token endpoint each ask it again, Basic then the body (they shared one failure: 2 token requests, not 4); the backend is never called', async () => {
  const calls = backend.requests.length
  const res = await get('/down')
  assert.equal(res.status, 500)
  assert.equal(tokenCalls['/down'], 4)
  assert.equal(backend.requests.length, calls, 'no backend call without a token')
})

test("a redirect hop asks for a token again: one that expires within the margin is fetched anew and sent on the hop (the first request's was)", async () => {
  const before = tokenCalls['/short'] ?? 0
  assert.equal((await get('/same')).status, 200)
  assert.equal(tokenCalls['/short'], before + 2, 'one token for the first request, one for the hop')
  const head = backend.head()
  assert.equal(head.split('\r\n')[0], 'GET /after HTTP/1.1')
  assert.match(head, new RegExp(`\\r\\nAuthorization: Bearer short-${before + 2}(\\r\\n|$)`))
})

test('a hop to another host asks for the token too (a failure there fails the call) but does not carry it (deviation: KrakenD sends it)', async () => {
  const before = tokenCalls['/short'] ?? 0
  assert.equal((await get('/cross')).status, 200)
  assert.equal(tokenCalls['/short'], before + 2)
  assert.doesNotMatch(backend.head(), /\r\nAuthorization:/i)
})

test("the token request asks for gzip, as Go's transport does, and a gzip answer is inflated (no Accept-Encoding was sent)", async () => {
  assert.equal((await get('/gzip')).status, 200)
  assert.match(backend.head(), /\r\nAuthorization: Bearer zipped(\r\n|$)/)
})

test('a token goes out as Go writes its string: UTF-8 bytes (é went out as one latin-1 byte and € failed the call)', async () => {
  assert.equal((await get('/utf8')).status, 200)
  const sent = Buffer.from(backend.head(), 'latin1')
  assert.ok(sent.includes(Buffer.from('\r\nAuthorization: Bearer t\u00e9k\u20ac', 'utf8')), backend.head())
})

test('a form token with %XX escapes that are not UTF-8 is those bytes, as url.ParseQuery reads it (it failed: invalid URL escape)', async () => {
  assert.equal((await get('/form-bytes')).status, 200)
  const sent = Buffer.from(backend.head(), 'latin1')
  assert.ok(
    sent.includes(Buffer.from([...Buffer.from('Bearer '), 0xff, 0xc3, 0xa9, 0x0d, 0x0a])),
    backend.head(),
  )
})

test("an answer qos/http-cache holds is served without asking for a token, as Go's cache sits above x/oauth2 (the token was fetched first, and its failure failed the call)", async () => {
  assert.equal((await get('/cached')).status, 200)
  assert.equal((await get('/cached')).status, 200, 'from the cache, the token endpoint now failing')
  assert.equal(tokenCalls['/once'], 1, 'no token request for the cached answer')
  assert.equal(cacheableCalls, 1)
})

test("a token_url's user info goes as HTTP Basic on the request that carries the credentials in its body, as Go's client adds it (it was dropped)", async () => {
  assert.equal((await get('/userinfo')).status, 200)
  assert.deepEqual(userinfoAuthorization, [
    `Basic ${Buffer.from('c:s').toString('base64')}`,
    `Basic ${Buffer.from('u:p@').toString('base64')}`,
  ])
  assert.match(backend.head(), /\r\nAuthorization: Bearer ui(\r\n|$)/)
})
