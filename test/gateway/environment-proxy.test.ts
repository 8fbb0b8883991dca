// Calls through the proxy the environment names, as KrakenD's Go clients make them: http URLs in
// absolute form to the proxy with Proxy-Authorization last, https URLs through a CONNECT tunnel
// (Go's request head), the backend transport, the JWKS download and the token request alike. The
// backends have names only the proxy resolves (backend.test, idp.test), so a call that went
// around the proxy could not succeed.
import assert from 'node:assert/strict'
import {
  createServer as createHttpServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import {
  type AddressInfo,
  connect,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from 'node:net'
import { after, before, describe, test } from 'node:test'
import { getCACertificates, setDefaultCACertificates } from 'node:tls'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { freePort } from '../helpers/free-port.ts'
import { selfSignedCertificate } from '../helpers/tls-certificate.ts'
import { mustConfig, type Running, send, startGateway } from './helpers.ts'

const CREDENTIALS = `Basic ${Buffer.from('gw:p@ss').toString('base64')}`
const rsa = await generateKeyPair('RS256')

interface ProxyCall {
  line: string
  rawHeaders: string[]
}

/** What every test backend answers: the request it saw, a token, a key set. */
async function answer(req: IncomingMessage, res: ServerResponse, jwks: string) {
  if (req.url === '/token')
    return res
      .writeHead(200, { 'content-type': 'application/json' })
      .end('{"access_token":"tok","token_type":"bearer","expires_in":3600}')
  if (req.url === '/jwks.json') return res.writeHead(200, { 'content-type': 'application/json' }).end(jwks)
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(
    JSON.stringify({ url: req.url, host: req.headers.host, authorization: req.headers.authorization ?? '' }),
  )
}

/** A forward proxy (on 127.0.0.1 once listening) that sends every host to 127.0.0.1, asking for CREDENTIALS. */
function forwardProxy(calls: ProxyCall[], tls?: { key: string; cert: string }): Server {
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    calls.push({ line: `${req.method} ${req.url}`, rawHeaders: req.rawHeaders })
    if (req.headers['proxy-authorization'] !== CREDENTIALS)
      return res.writeHead(407, { 'proxy-authenticate': 'Basic' }).end()
    const target = new URL(req.url ?? '')
    const { 'proxy-authorization': _, ...headers } = req.headers
    const onward = request(
      {
        host: '127.0.0.1',
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    req.pipe(onward)
  }
  const proxy = tls ? createHttpsServer(tls, forward) : createHttpServer(forward)
  proxy.on('connect', (req: IncomingMessage, client: Socket) => {
    calls.push({ line: `${req.method} ${req.url}`, rawHeaders: req.rawHeaders })
    if (req.headers['proxy-authorization'] !== CREDENTIALS) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n')
      return
    }
    const port = Number((req.url ?? '').split(':').pop())
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n')
      upstream.pipe(client).pipe(upstream)
    })
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  return proxy
}

interface SocksCall {
  methods: number[]
  user?: string
  password?: string
  /** The CONNECT target as sent: address type and host:port. */
  type: number
  target: string
}

/**
 * A SOCKS5 proxy on 127.0.0.1 that connects every target to 127.0.0.1 at its port; with `user`
 * it asks for username/password and refuses others, with `reply` it answers CONNECT with that code.
 */
function socks5Proxy(calls: SocksCall[], user?: { name: string; password: string }, reply = 0): NetServer {
  return createNetServer((client) => {
    let buffered = Buffer.alloc(0)
    const waiters: Array<[number, (b: Buffer) => void]> = []
    const pump = () => {
      while (waiters.length > 0 && buffered.length >= (waiters[0] as [number, unknown])[0]) {
        const [n, resolve] = waiters.shift() as [number, (b: Buffer) => void]
        const bytes = buffered.subarray(0, n)
        buffered = buffered.subarray(n)
        resolve(bytes)
      }
    }
    const read = (n: number) =>
      new Promise<Buffer>((resolve) => {
        waiters.push([n, resolve])
        pump()
      })
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk])
      pump()
    }
    client.on('data', onData).on('error', () => {})
    void (async () => {
      const call: SocksCall = { methods: [], type: 0, target: '' }
      const [, count] = await read(2)
      call.methods = [...(await read(count as number))]
      client.write(Buffer.from([5, user ? 2 : 0]))
      if (user) {
        const [, nameLength] = await read(2)
        call.user = (await read(nameLength as number)).toString()
        const [passwordLength] = await read(1)
        call.password = (await read(passwordLength as number)).toString()
        const ok = call.user === user.name && call.password === user.password
        client.write(Buffer.from([1, ok ? 0 : 1]))
        if (!ok) return void client.end()
      }
      const [, , , type] = await read(4)
      call.type = type as number
      const host =
        type === 3 ? (await read((await read(1))[0] as number)).toString() : [...(await read(4))].join('.')
      const port = (await read(2)).readUInt16BE(0)
      call.target = `${host}:${port}`
      calls.push(call)
      if (reply !== 0) return void client.end(Buffer.from([5, reply, 0, 1, 0, 0, 0, 0, 0, 0]))
      const upstream = connect(port, '127.0.0.1', () => {
        client.off('data', onData)
        client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]))
        if (buffered.length > 0) upstream.write(buffered)
        client.pipe(upstream).pipe(client)
      })
      upstream.on('error', () => client.destroy())
    })()
  })
}

const portOf = (server: Server | NetServer) => (server.address() as AddressInfo).port
const listening = async (server: Server | NetServer) => {
  server.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  return portOf(server)
}

const calls: ProxyCall[] = []
const servers: Server[] = []
let httpPort = 0
let httpsPort = 0
let proxyUrl = ''
let tlsProxyUrl = ''
let gw: Running

before(async () => {
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256' }] })
  const tls = await selfSignedCertificate('backend.test', [
    'DNS:backend.test',
    'DNS:idp.test',
    'IP:127.0.0.1',
  ])
  // The gateway trusts the test certificate as it would a public one: client_tls is not involved.
  setDefaultCACertificates([...getCACertificates('default'), tls.cert])
  const http = createHttpServer((req, res) => void answer(req, res, jwks))
  const https = createHttpsServer(tls, (req, res) => void answer(req, res, jwks))
  const proxy = forwardProxy(calls)
  const tlsProxy = forwardProxy(calls, tls)
  servers.push(http, https, proxy, tlsProxy)
  httpPort = await listening(http)
  httpsPort = await listening(https)
  proxyUrl = `http://gw:p%40ss@127.0.0.1:${await listening(proxy)}`
  tlsProxyUrl = `https://gw:p%40ss@127.0.0.1:${await listening(tlsProxy)}`
  // The JWKS and token clients read the process's environment, as KrakenD's do.
  process.env.HTTP_PROXY = proxyUrl
  process.env.HTTPS_PROXY = proxyUrl
  gw = await startGateway(proxiedConfig(), { environ: { HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl } })
})
after(async () => {
  await gw?.close()
  for (const server of servers) server.close()
})

function proxiedConfig() {
  const backend = (path: string, host: string, extra: Record<string, unknown> = {}) => ({
    endpoint: path,
    ...extra,
    backend: [{ host: [host], url_pattern: '/echo?q=1' }],
  })
  return mustConfig({
    version: 3,
    name: 'proxied',
    extra_config: { router: { return_error_msg: true } },
    endpoints: [
      backend('/plain', `http://backend.test:${httpPort}`),
      backend('/secure', `https://backend.test:${httpsPort}`),
      backend('/loopback', `http://127.0.0.1:${httpPort}`),
      {
        endpoint: '/token',
        backend: [
          {
            host: [`http://backend.test:${httpPort}`],
            url_pattern: '/echo',
            extra_config: {
              'auth/client-credentials': {
                client_id: 'id',
                client_secret: 'secret',
                token_url: `http://idp.test:${httpPort}/token`,
              },
            },
          },
        ],
      },
      backend('/validated', `http://backend.test:${httpPort}`, {
        extra_config: {
          'auth/validator': { alg: 'RS256', jwk_url: `https://idp.test:${httpsPort}/jwks.json` },
        },
      }),
    ],
  })
}

const seenSince = (mark: number) => calls.slice(mark)
const headerNames = (call: ProxyCall) => call.rawHeaders.filter((_, i) => i % 2 === 0)

describe('proxies from the environment: calls go through them as Go makes them', () => {
  test('an http backend: absolute-form request to the proxy, Proxy-Authorization last', async () => {
    const mark = calls.length
    const res = await send(gw.url, { path: '/plain' })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(JSON.parse(res.text), {
      url: '/echo?q=1',
      host: `backend.test:${httpPort}`,
      authorization: '',
    })
    const [call] = seenSince(mark)
    assert.ok(call)
    assert.equal(call.line, `GET http://backend.test:${httpPort}/echo?q=1`)
    const names = headerNames(call)
    assert.equal(names[0], 'Host')
    assert.equal(names.at(-1), 'Proxy-Authorization')
    assert.equal(call.rawHeaders.at(-1), CREDENTIALS)
  })

  test("an https backend: Go's CONNECT (Host, User-Agent, Proxy-Authorization), then TLS with the backend", async () => {
    const mark = calls.length
    const res = await send(gw.url, { path: '/secure' })
    assert.equal(res.status, 200, res.text)
    assert.equal(JSON.parse(res.text).host, `backend.test:${httpsPort}`)
    const [call] = seenSince(mark)
    assert.ok(call)
    assert.equal(call.line, `CONNECT backend.test:${httpsPort}`)
    assert.deepEqual(call.rawHeaders, [
      'Host',
      `backend.test:${httpsPort}`,
      'User-Agent',
      'Go-http-client/1.1',
      'Proxy-Authorization',
      CREDENTIALS,
    ])
  })

  test('an https:// proxy: TLS with the proxy, the tunnel inside it, TLS with the backend inside that', async () => {
    const other = await startGateway(proxiedConfig(), {
      environ: { HTTP_PROXY: tlsProxyUrl, HTTPS_PROXY: tlsProxyUrl },
    })
    try {
      const mark = calls.length
      const secure = await send(other.url, { path: '/secure' })
      assert.equal(secure.status, 200, secure.text)
      const plain = await send(other.url, { path: '/plain' })
      assert.equal(plain.status, 200, plain.text)
      assert.deepEqual(
        seenSince(mark).map((c) => c.line),
        [`CONNECT backend.test:${httpsPort}`, `GET http://backend.test:${httpPort}/echo?q=1`],
      )
    } finally {
      await other.close()
    }
  })

  test('loopback backends are reached directly, as Go never proxies them', async () => {
    const mark = calls.length
    const res = await send(gw.url, { path: '/loopback' })
    assert.equal(res.status, 200, res.text)
    assert.equal(seenSince(mark).length, 0)
  })

  test('the OAuth2 token request goes through the proxy too', async () => {
    const mark = calls.length
    const res = await send(gw.url, { path: '/token' })
    assert.equal(res.status, 200, res.text)
    assert.equal(JSON.parse(res.text).authorization, 'Bearer tok')
    assert.deepEqual(
      seenSince(mark).map((c) => c.line),
      [`POST http://idp.test:${httpPort}/token`, `GET http://backend.test:${httpPort}/echo`],
    )
  })

  test('the JWKS download goes through a CONNECT tunnel', async () => {
    const mark = calls.length
    const jwt = await new SignJWT({ sub: 'u' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .sign(rsa.privateKey)
    const res = await send(gw.url, { path: '/validated', headers: { Authorization: `Bearer ${jwt}` } })
    assert.equal(res.status, 200, res.text)
    // Without `cache` krakend-jose reads the key set twice per token (jwt.ts), here on one or two
    // connections.
    const lines = seenSince(mark).map((c) => c.line)
    assert.equal(lines.at(-1), `GET http://backend.test:${httpPort}/echo?q=1`)
    assert.ok(lines.length >= 2)
    for (const line of lines.slice(0, -1)) assert.equal(line, `CONNECT idp.test:${httpsPort}`)
  })
})

describe('a SOCKS5 proxy from the environment (socks5:// and socks5h://), as Go speaks to it', () => {
  /** The answers to `paths` from a gateway whose environment names `proxy` for http and https. */
  const through = async (proxy: NetServer, scheme: string, credentials: string, ...paths: string[]) => {
    const url = `${scheme}://${credentials}127.0.0.1:${await listening(proxy)}`
    servers.push(proxy as unknown as Server)
    const other = await startGateway(proxiedConfig(), { environ: { HTTP_PROXY: url, HTTPS_PROXY: url } })
    try {
      const answers = []
      for (const path of paths) answers.push(await send(other.url, { path }))
      return answers
    } finally {
      await other.close()
    }
  }

  test('http and https backends by name, with username/password: the proxy resolves the name', async () => {
    const socksCalls: SocksCall[] = []
    const proxy = socks5Proxy(socksCalls, { name: 'gw', password: 'p@ss' })
    const [plain, secure] = await through(proxy, 'socks5', 'gw:p%40ss@', '/plain', '/secure')
    assert.equal(plain?.status, 200, plain?.text)
    // Through SOCKS the request is in origin form, as to the backend itself.
    assert.equal(JSON.parse(plain?.text ?? '').url, '/echo?q=1')
    assert.equal(secure?.status, 200, secure?.text)
    assert.equal(JSON.parse(secure?.text ?? '').host, `backend.test:${httpsPort}`)
    assert.deepEqual(socksCalls, [
      { methods: [0, 2], user: 'gw', password: 'p@ss', type: 3, target: `backend.test:${httpPort}` },
      { methods: [0, 2], user: 'gw', password: 'p@ss', type: 3, target: `backend.test:${httpsPort}` },
    ])
  })

  test('socks5h without credentials offers no authentication only', async () => {
    const socksCalls: SocksCall[] = []
    const [res] = await through(socks5Proxy(socksCalls), 'socks5h', '', '/plain')
    assert.equal(res?.status, 200, res?.text)
    assert.deepEqual(socksCalls, [{ methods: [0], type: 3, target: `backend.test:${httpPort}` }])
  })

  test("refusals worded as Go's: a CONNECT refused, wrong credentials", async () => {
    const [refused] = await through(socks5Proxy([], undefined, 5), 'socks5', '', '/plain')
    assert.equal(refused?.status, 500)
    assert.match(
      refused?.text ?? '',
      new RegExp(
        `^Get "http://backend\\.test:${httpPort}/echo\\?q=1": socks connect tcp 127\\.0\\.0\\.1:\\d+->backend\\.test:${httpPort}: unknown error connection refused$`,
      ),
    )
    const [denied] = await through(
      socks5Proxy([], { name: 'gw', password: 'right' }),
      'socks5',
      'gw:wrong@',
      '/secure',
    )
    assert.equal(denied?.status, 500)
    assert.match(denied?.text ?? '', /: username\/password authentication failed$/)
    assert.doesNotMatch(denied?.text ?? '', /wrong/)
  })
})

describe('proxies from the environment: failures worded as Go words them', () => {
  const withEnviron = async (environ: Record<string, string>, path: string) => {
    const other = await startGateway(proxiedConfig(), { environ })
    try {
      return await send(other.url, { path })
    } finally {
      await other.close()
    }
  }

  test('a tunnel the proxy refuses: its reason phrase; a refused http call: the proxy 407 itself', async () => {
    const wrong = proxyUrl.replace('p%40ss', 'wrong')
    const secure = await withEnviron({ HTTPS_PROXY: wrong }, '/secure')
    assert.equal(secure.status, 500)
    assert.equal(
      secure.text,
      `Get "https://backend.test:${httpsPort}/echo?q=1": Proxy Authentication Required`,
    )
    const plain = await withEnviron({ HTTP_PROXY: wrong }, '/plain')
    assert.equal(plain.status, 500)
    assert.match(plain.text, /407/)
  })

  test('a proxy nobody listens on: proxyconnect tcp, and the password never shows', async () => {
    const dead = new URL(proxyUrl)
    const port = await freePort()
    dead.port = String(port)
    const res = await withEnviron({ HTTP_PROXY: dead.href }, '/plain')
    assert.equal(res.status, 500)
    assert.equal(
      res.text,
      `Get "http://backend.test:${httpPort}/echo?q=1": proxyconnect tcp: dial tcp 127.0.0.1:${port}: connect: connection refused`,
    )
  })
})
