// auth/client-credentials checked against krakend-oauth2-clientcredentials v2.2.0 and
// golang.org/x/oauth2 (clientcredentials, internal/token.go): the token request, how the token
// endpoint's answer is read, and when KrakenD fails the backend call.
import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, test } from 'node:test'
import { validateGatewayConfig } from '../../../src/gateway/config/validate.ts'
import { freePort } from '../../helpers/free-port.ts'
import { gatewayWith } from '../gateway-fixture.ts'
import { send } from '../helpers.ts'

let idp: Server
const calls: Array<{ method: string; path: string; headers: IncomingHttpHeaders; body: string }> = []
let issued = 0
let closedPort = 0

/** One token endpoint per path: each answers as a particular server would. */
const answers: Record<
  string,
  (basic: boolean) => { status?: number; reason?: string; type?: string; body: string; location?: string }
> = {
  '/error-200': () => ({ body: JSON.stringify({ access_token: 'leaked', error: 'server_error' }) }),
  '/fraction': () => ({ body: '{"access_token":"t","token_type":"bearer","expires_in":3600.5}' }),
  '/negative': () => ({ body: JSON.stringify({ access_token: `neg-${++issued}`, expires_in: -30 }) }),
  '/form': () => ({
    type: 'Application/X-WWW-Form-URLEncoded; charset=utf-8',
    body: 'access_token=form-tok&token_type=bearer&expires_in=3600',
  }),
  '/not-form': () => ({ type: 'application/x-www-form', body: 'access_token=x' }),
  '/any-case': () => ({ body: '{"Access_Token":"case-tok","TOKEN_TYPE":"mac"}' }),
  '/denied': () => ({ status: 401, body: '{"error":"invalid_client","error_description":"bad secret"}' }),
  '/params-only': (basic) =>
    basic ? { status: 401, body: '{"error":"invalid_client"}' } : { body: '{"access_token":"p"}' },
  '/moved-307': () => ({ status: 307, location: '/after-307', body: '' }),
  '/after-307': () => ({ body: '{"access_token":"kept-post"}' }),
  '/backslash': () => ({ status: 302, location: '\\\\evil.example/token', body: '' }),
  '/%5C%5Cevil.example/token': () => ({ body: '{"access_token":"same-host"}' }),
  '/loop': () => ({ status: 302, location: '/loop', body: '' }),
  '/sleeping': () => ({ status: 503, reason: 'Upstream Sleeping', type: 'text/plain', body: 'zzz' }),
  '/to-password': () => ({ status: 302, location: `http://user:pw@127.0.0.1:${closedPort}/t`, body: '' }),
}

let idpUrl: string
const gw = gatewayWith(
  (backend) => {
    const endpoint = (path: string, extra: Record<string, unknown> = {}) => ({
      endpoint: path,
      backend: [
        {
          host: [backend.origin],
          url_pattern: `/echo${path}`,
          extra_config: {
            'auth/client-credentials': {
              client_id: 'gw',
              client_secret: 's/cret',
              token_url: `${idpUrl}${path}`,
              ...extra,
            },
          },
        },
      ],
    })
    return {
      version: 3,
      name: 'cc-audit',
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        endpoint('/error-200'),
        endpoint('/fraction'),
        endpoint('/negative'),
        endpoint('/form'),
        endpoint('/not-form'),
        endpoint('/any-case'),
        endpoint('/denied'),
        endpoint('/params-only', {
          client_id: '',
          scopes: 'read,write',
          endpoint_params: { audience: ['api'] },
        }),
        endpoint('/moved-307'),
        endpoint('/backslash'),
        endpoint('/loop'),
        endpoint('/sleeping'),
        endpoint('/to-password'),
      ],
    }
  },
  {
    setUp: async () => {
      idp = createServer((req, res) => {
        let body = ''
        req.on('data', (c) => {
          body += c
        })
        req.on('end', () => {
          const path = req.url ?? ''
          calls.push({ method: req.method ?? '', path, headers: req.headers, body })
          const answer = answers[path]?.(req.headers.authorization !== undefined) ?? { status: 404, body: '' }
          const headers = {
            'content-type': answer.type ?? 'application/json',
            ...(answer.location === undefined ? {} : { location: answer.location }),
          }
          if (answer.reason) res.writeHead(answer.status ?? 200, answer.reason, headers).end(answer.body)
          else res.writeHead(answer.status ?? 200, headers).end(answer.body)
        })
      })
      idp.listen(0, '127.0.0.1')
      await new Promise((resolve) => idp.once('listening', resolve))
      idpUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`
      closedPort = await freePort()
    },
    tearDown: async () => {
      idp?.close()
    },
  },
)

const authOf = (text: string) =>
  (JSON.parse(text) as { headers: Record<string, string> }).headers.authorization

describe('auth/client-credentials audit: when KrakenD has no token, the backend is not called', () => {
  test('a 200 answer that carries an "error" is a failure (x/oauth2: unorthodox servers)', async () => {
    const seen = gw.backend.seen.length
    const res = await send(gw.url, { path: '/error-200' })
    assert.equal(res.status, 500)
    assert.match(res.text, /oauth2: "server_error"/)
    assert.equal(gw.backend.seen.length, seen)
  })

  test("a refusal that is not JSON names the status as the server sent it (Go's resp.Status)", async () => {
    const res = await send(gw.url, { path: '/sleeping' })
    assert.equal(res.status, 500)
    assert.match(res.text, /oauth2: cannot fetch token: 503 Upstream Sleeping\nResponse: zzz$/)
  })

  test('an expires_in that is not an integer fails the JSON decoding', async () => {
    const res = await send(gw.url, { path: '/fraction' })
    assert.equal(res.status, 500)
    assert.match(res.text, /oauth2: cannot parse json/)
  })

  test('a type Go does not read as a form is decoded as JSON (and fails)', async () => {
    const res = await send(gw.url, { path: '/not-form' })
    assert.equal(res.status, 500)
  })

  test('the token endpoint refusing: the backend call fails with the error x/oauth2 reports', async () => {
    const res = await send(gw.url, { path: '/denied' })
    assert.equal(res.status, 500)
    // Go's url.Error of the backend call the OAuth2 transport failed, not lura's [GET /pattern]: prefix.
    assert.equal(res.text, `Get "${gw.backend.origin}/echo/denied": oauth2: "invalid_client" "bad secret"`)
    assert.doesNotMatch(res.text, /s\/cret|s%2Fcret/)
  })
})

describe('auth/client-credentials audit: tokens as x/oauth2 reads them', () => {
  test('a negative expires_in is used once, then fetched again (it is already expired)', async () => {
    const a = authOf((await send(gw.url, { path: '/negative' })).text)
    const b = authOf((await send(gw.url, { path: '/negative' })).text)
    assert.match(a ?? '', /^Bearer neg-\d+$/)
    assert.notEqual(a, b)
  })

  test('a form-encoded answer, its media type in any case and with parameters', async () => {
    const res = await send(gw.url, { path: '/form' })
    assert.equal(res.status, 200)
    assert.equal(authOf(res.text), 'Bearer form-tok')
  })

  test('JSON field names in any case; the token type normalised (mac -> MAC)', async () => {
    const res = await send(gw.url, { path: '/any-case' })
    assert.equal(res.status, 200)
    assert.equal(authOf(res.text), 'MAC case-tok')
  })
})

describe('auth/client-credentials audit: the token request', () => {
  test("Go's encoding (sorted keys), Go's User-Agent, and no empty client_id in the body", async () => {
    const before = calls.length
    const res = await send(gw.url, { path: '/params-only' })
    assert.equal(res.status, 200)
    const [basic, params] = calls.slice(before)
    assert.equal(basic?.body, 'audience=api&grant_type=client_credentials&scope=read+write')
    assert.equal(basic?.headers['user-agent'], 'Go-http-client/1.1')
    assert.equal(basic?.headers.authorization, `Basic ${Buffer.from(':s%2Fcret').toString('base64')}`)
    assert.equal(
      params?.body,
      'audience=api&client_secret=s%2Fcret&grant_type=client_credentials&scope=read+write',
    )
    assert.equal(params?.headers.authorization, undefined)
  })

  test('a field of the wrong type is an error even when disabled (KrakenD panics at startup)', () => {
    const result = validateGatewayConfig({
      version: 3,
      endpoints: [
        {
          endpoint: '/a',
          backend: [
            {
              host: ['http://127.0.0.1:19'],
              url_pattern: '/a',
              extra_config: { 'auth/client-credentials': { is_disabled: true, scopes: ['read'] } },
            },
          ],
        },
      ],
    })
    assert.equal(
      result.errors[0]?.location?.path,
      'endpoints[0].backend[0].extra_config.auth/client-credentials.scopes',
    )
  })

  test('endpoint_params may not set "scope": x/oauth2 refuses every token request', () => {
    const result = validateGatewayConfig({
      version: 3,
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
                  token_url: 'https://idp/token',
                  endpoint_params: { scope: ['x'], grant_type: ['urn:custom'] },
                },
              },
            },
          ],
        },
      ],
    })
    assert.equal(result.errors.length, 1)
    assert.equal(
      result.errors[0]?.location?.path,
      'endpoints[0].backend[0].extra_config.auth/client-credentials.endpoint_params.scope',
    )
  })
})

describe("auth/client-credentials audit: the token endpoint's redirects, as Go's http.Client follows them", () => {
  test('a 307 repeats the POST with its body and credentials to the same host', async () => {
    const before = calls.length
    const res = await send(gw.url, { path: '/moved-307' })
    assert.equal(res.status, 200)
    assert.equal(authOf(res.text), 'Bearer kept-post')
    const [first, second] = calls.slice(before)
    assert.equal(second?.path, '/after-307')
    assert.equal(second?.method, 'POST')
    assert.equal(second?.body, first?.body)
    assert.equal(second?.headers.authorization, first?.headers.authorization)
  })

  test('a Location with backslashes is a path on the same host (url.Parse), reached as a GET', async () => {
    const before = calls.length
    const res = await send(gw.url, { path: '/backslash' })
    assert.equal(res.status, 200)
    assert.equal(authOf(res.text), 'Bearer same-host')
    const hop = calls.slice(before)[1]
    assert.equal(hop?.path, '/%5C%5Cevil.example/token')
    assert.equal(hop?.method, 'GET')
    assert.equal(hop?.body, '')
  })

  test('Go makes 10 requests and names the Location it stopped at', async () => {
    const before = calls.length
    const res = await send(gw.url, { path: '/loop' })
    assert.equal(res.status, 500)
    assert.equal(res.text, `Get "${gw.backend.origin}/echo/loop": Post "/loop": stopped after 10 redirects`)
    // 10 with Basic, then x/oauth2 tries the credentials in the body after any error: 10 more.
    assert.equal(calls.length - before, 20)
  })

  test('a hop that fails is named with its password as `***`', async () => {
    const res = await send(gw.url, { path: '/to-password' })
    assert.equal(res.status, 500)
    assert.equal(
      res.text,
      `Get "${gw.backend.origin}/echo/to-password": Post "http://user:***@127.0.0.1:${closedPort}/t": dial tcp 127.0.0.1:${closedPort}: connect: connection refused`,
    )
  })
})
