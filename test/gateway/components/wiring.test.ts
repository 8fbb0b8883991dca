// How the components see a request and its answer once wired into the app, as lura hands them
// over: the circuit breaker's outcome of cancelled calls, CEL's response metadata (set only for
// no-op backends and return_error_details), CEL's req_path and req_headers, and a signer without a
// key answering before any backend call.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import {
  mustConfig,
  type Running,
  type SeenRequest,
  send,
  startBackend,
  startGateway,
  type TestBackend,
} from '../helpers.ts'

let backend: TestBackend
let slowEveryOther: { origin: string; calls: number; close(): Promise<void> }
let gw: Running

before(async () => {
  backend = await startBackend('api', {
    '/created': { status: 201, raw: 'made', headers: { 'x-flag': 'on' } },
    '/plain': { status: 200, raw: 'plain', headers: { 'x-flag': 'off' } },
    '/missing': { status: 404, raw: 'gone' },
  })
  // Every second call answers 300 ms late: with concurrent_calls 2, one sibling always loses.
  let calls = 0
  const server = createServer((_req, res) => {
    calls += 1
    const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    if (calls % 2 === 0) setTimeout(answer, 300)
    else answer()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  slowEveryOther = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get calls() {
      return calls
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  const host = [backend.origin]
  const cel = (expr: string) => ({ 'validation/cel': [{ check_expr: expr }] })
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'wiring',
      extra_config: { router: { return_error_msg: true } },
      endpoints: [
        {
          endpoint: '/race',
          concurrent_calls: 2,
          backend: [
            {
              host: [slowEveryOther.origin],
              url_pattern: '/race',
              extra_config: { 'qos/circuit-breaker': { name: 'race', max_errors: 0, timeout: 60 } },
            },
          ],
        },
        {
          endpoint: '/json-status',
          backend: [{ host, url_pattern: '/echo', extra_config: cel('resp_metadata_status == 0') }],
        },
        {
          endpoint: '/noop/{which}',
          output_encoding: 'no-op',
          extra_config: cel("resp_metadata_headers['X-Flag'][0] == 'on'"),
          backend: [
            {
              host,
              url_pattern: '/{which}',
              encoding: 'no-op',
              extra_config: cel('resp_metadata_status == 201 || resp_metadata_status == 200'),
            },
          ],
        },
        {
          endpoint: '/details',
          backend: [
            {
              host,
              url_pattern: '/missing',
              extra_config: {
                'backend/http': { return_error_details: 'gone' },
                ...cel('resp_metadata_status == 404 && !resp_completed && has(resp_data.error_gone)'),
              },
            },
          ],
        },
        {
          endpoint: '/details-refused',
          backend: [
            {
              host,
              url_pattern: '/missing',
              extra_config: {
                'backend/http': { return_error_details: 'gone' },
                ...cel('resp_metadata_status == 200'),
              },
            },
          ],
        },
        {
          endpoint: '/paths/{id}',
          input_headers: ['x-tenant'],
          input_query_strings: ['q'],
          backend: [
            {
              host,
              url_pattern: '/echo/{id}?fixed=1',
              extra_config: cel(
                "req_path == '/echo/' + req_params.Id + '?fixed=1' && req_headers['X-Tenant'] == ['a']",
              ),
            },
          ],
        },
        {
          endpoint: '/signed',
          extra_config: {
            'auth/signer': {
              alg: 'HS256',
              kid: 'nowhere',
              keys_to_sign: ['token'],
              jwk_url: `${backend.origin}/no-such-jwks`,
              disable_jwk_security: true,
            },
          },
          backend: [{ host, url_pattern: '/echo/signed' }],
        },
      ],
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
  await slowEveryOther?.close()
})

const calls = (path: string) => backend.seen.filter((r: SeenRequest) => r.url.startsWith(path)).length

describe('components as lura wires them', () => {
  test('a concurrent call cancelled because its sibling answered first does not count against the breaker', async () => {
    for (let i = 0; i < 3; i += 1) {
      const res = await send(gw.url, { path: '/race' })
      assert.equal(res.status, 200, `request ${i}: ${res.text}`)
    }
    assert.equal(slowEveryOther.calls, 6, 'every request made both of its calls: the circuit stayed closed')
  })

  test('CEL sees status 0 for a decoded JSON answer: lura sets response metadata only for no-op and error details', async () => {
    assert.equal((await send(gw.url, { path: '/json-status' })).status, 200)
  })

  test('no-op answers: backend and endpoint CEL resp_ checks run with the real status and headers', async () => {
    const made = await send(gw.url, { path: '/noop/created' })
    assert.equal(made.status, 201)
    assert.equal(made.text, 'made')
    const before = calls('/plain')
    const plain = await send(gw.url, { path: '/noop/plain' })
    assert.equal(plain.status, 500, 'the endpoint check wants X-Flag: on')
    assert.equal(plain.text, 'request aborted by evaluator #0')
    assert.equal(calls('/plain'), before + 1, 'the backend was called: the check runs on its answer')
  })

  test('return_error_details: backend CEL sees the detailed error, status 404 and an incomplete answer', async () => {
    const res = await send(gw.url, { path: '/details' })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(JSON.parse(res.text), { error_gone: { http_status_code: 404, http_body: 'gone' } })
    const refused = await send(gw.url, { path: '/details-refused' })
    assert.equal(refused.status, 500, 'the check runs on the detailed error (status 404, not 200)')
    // The component's own error: lura prefixes `[GET /pattern]:` only to a backend's bad status.
    assert.equal(refused.text, 'request aborted by evaluator #0')
  })

  test("backend CEL's req_path is lura's generated path (its own query kept, the client's not); headers keyed by canonical name (lura's config canonicalizes input_headers)", async () => {
    const ok = await send(gw.url, { path: '/paths/7?q=x', headers: { 'X-Tenant': 'a' } })
    assert.equal(ok.status, 200, ok.text)
    const other = await send(gw.url, { path: '/paths/7?q=x', headers: { 'X-Tenant': 'b' } })
    assert.equal(other.status, 500)
  })

  test('a signer whose key cannot be loaded answers 401 without calling the backends', async () => {
    const before = calls('/echo/signed')
    const res = await send(gw.url, { path: '/signed' })
    assert.equal(res.status, 401)
    assert.equal(calls('/echo/signed'), before, 'no backend call')
  })
})
