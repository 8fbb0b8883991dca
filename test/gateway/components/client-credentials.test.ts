import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

// A real OAuth2 token endpoint: one client accepts HTTP Basic, the other only credentials in the body.
let idp: Server
const calls: Array<{ authorization: string | undefined; body: URLSearchParams }> = []
let issued = 0

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let text = ''
    req.on('data', (c) => {
      text += c
    })
    req.on('end', () => resolve(text))
  })

let tokenUrl: string
const gw = gatewayWith(
  (backend) => {
    const host = [backend.origin]
    const cc = (client: string, extra: Record<string, unknown> = {}) => ({
      'auth/client-credentials': {
        client_id: client,
        client_secret: 's/cret',
        token_url: tokenUrl,
        ...extra,
      },
    })
    return {
      version: 3,
      name: 'cc',
      endpoints: [
        {
          endpoint: '/basic',
          input_headers: ['Authorization'],
          backend: [
            {
              host,
              url_pattern: '/echo/basic',
              extra_config: cc('basic-client', {
                scopes: 'read,write',
                endpoint_params: { audience: ['api'] },
              }),
            },
          ],
        },
        {
          endpoint: '/body',
          backend: [{ host, url_pattern: '/echo/body', extra_config: cc('body-client') }],
        },
        { endpoint: '/denied', backend: [{ host, url_pattern: '/echo/denied', extra_config: cc('nobody') }] },
      ],
    }
  },
  {
    setUp: async () => {
      idp = createServer(async (req, res) => {
        const body = new URLSearchParams(await readBody(req))
        calls.push({ authorization: req.headers.authorization, body })
        const basic = req.headers.authorization?.startsWith('Basic ')
          ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString()
          : undefined
        const id = basic?.split(':')[0] ?? body.get('client_id')
        const secret = basic ? basic.split(':')[1] : body.get('client_secret')
        const ok =
          (id === 'basic-client' && basic && secret === 's%2Fcret') ||
          (id === 'body-client' && !basic && secret === 's/cret')
        if (!ok) {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}')
          return
        }
        issued += 1
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            access_token: `tok-${issued}`,
            token_type: 'bearer',
            expires_in: id === 'body-client' ? 5 : 3600,
          }),
        )
      })
      idp.listen(0, '127.0.0.1')
      await new Promise((resolve) => idp.once('listening', resolve))
      tokenUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/oauth/token`
    },
    tearDown: async () => {
      idp?.close()
    },
  },
)

const authOf = (text: string) =>
  (JSON.parse(text) as { headers: Record<string, string> }).headers.authorization

describe('auth/client-credentials', () => {
  test('a token fetched with HTTP Basic, kept while valid, replaces the client Authorization', async () => {
    const before = calls.length
    const first = await send(gw.url, { path: '/basic', headers: { authorization: 'Bearer client-token' } })
    assert.equal(first.status, 200)
    const token = authOf(first.text)
    assert.match(token ?? '', /^Bearer tok-\d+$/)
    assert.equal(authOf((await send(gw.url, { path: '/basic' })).text), token, 'the token is reused')
    assert.equal(calls.length, before + 1)
    const call = calls[before]
    assert.equal(call?.body.get('grant_type'), 'client_credentials')
    assert.equal(call?.body.get('scope'), 'read write')
    assert.equal(call?.body.get('audience'), 'api')
    assert.equal(call?.body.get('client_secret'), null, 'the secret went in the Basic header')
  })

  test('a server that refuses Basic gets the credentials in the body; a token about to expire is renewed', async () => {
    const a = authOf((await send(gw.url, { path: '/body' })).text)
    const b = authOf((await send(gw.url, { path: '/body' })).text)
    assert.match(a ?? '', /^Bearer tok-\d+$/)
    assert.notEqual(a, b, 'expires_in 5 s is within the 10 s margin: a new token per call')
  })

  test('no token: the backend call fails (500) and the secret is not shown', async () => {
    const seen = gw.backend.seen.length
    const res = await send(gw.url, { path: '/denied' })
    assert.equal(res.status, 500)
    assert.equal(res.headers['x-krakend-completed'], 'false')
    assert.doesNotMatch(res.text, /s\/cret|s%2Fcret/)
    assert.equal(gw.backend.seen.length, seen)
  })

  test('a literal client_secret is a warning: it is stamped into the image', () => {
    const result = validateGatewayConfig({
      version: 3,
      name: 'x',
      endpoints: [
        {
          endpoint: '/a',
          backend: [
            {
              host: ['http://127.0.0.1:19'],
              url_pattern: '/a',
              extra_config: {
                'auth/client-credentials': {
                  client_id: 'a',
                  client_secret: 'b',
                  token_url: 'https://idp/token',
                },
              },
            },
          ],
        },
      ],
    })
    assert.deepEqual(result.errors, [])
    const warning = result.warnings.find((w) => w.location?.path?.endsWith('client_secret'))
    assert.match(warning?.message ?? '', /baked into the image/)
    assert.doesNotMatch(JSON.stringify(result.warnings), /"b"/, 'the warning does not repeat the secret')
  })
})
