// A Lua custom_error whose status net/http cannot write (below 100, above 999), at proxy or backend
// level and without router.return_error_msg: lura sets it with c.Status and gin writes it after the
// handler chain, outside its Recovery, so Go's server panics and closes the connection (resets the
// h2 stream) without an answer. (With the message, or at endpoint level, the write panics inside
// Recovery: 200, see lua.test.ts.)
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  mustConfig,
  type Running,
  rawRequest,
  sendH2,
  sendRaw,
  startBackend,
  startGateway,
  type TestBackend,
} from '../helpers.ts'

describe('custom_error with a status net/http refuses to write', () => {
  let backend: TestBackend
  let gateway: Running
  before(async () => {
    backend = await startBackend('api')
    const host = [backend.origin]
    gateway = await startGateway(
      mustConfig({
        version: 3,
        endpoints: [
          ...[1000, 99].map((code) => ({
            endpoint: `/proxy-${code}`,
            extra_config: { 'modifier/lua-proxy': { pre: `custom_error("odd", ${code})` } },
            backend: [{ host, url_pattern: '/never' }],
          })),
          {
            endpoint: '/backend-1000',
            backend: [
              {
                host,
                url_pattern: '/never',
                extra_config: { 'modifier/lua-backend': { pre: 'custom_error("odd", 1000)' } },
              },
            ],
          },
          {
            endpoint: '/ok',
            backend: [{ host, url_pattern: '/echo' }],
          },
        ],
      }),
    )
  })
  after(async () => {
    await gateway?.close()
    await backend?.close()
  })

  for (const path of ['/proxy-1000', '/proxy-99', '/backend-1000']) {
    test(`${path}: the connection closes with no answer, and the backend is not called`, async () => {
      const calls = backend.seen.length
      const answer = await sendRaw(gateway.url, rawRequest([`GET ${path} HTTP/1.1`, 'Host: gw.example']))
      assert.equal(answer.head, '', 'no byte of an answer')
      assert.equal(backend.seen.length, calls)
    })
  }

  test('over h2c the stream is reset with INTERNAL_ERROR, as Go does, and the gateway serves on', async () => {
    await assert.rejects(sendH2(gateway.url, { path: '/proxy-1000' }), /NGHTTP2_INTERNAL_ERROR/)
    assert.equal((await sendH2(gateway.url, { path: '/ok' })).status, 200)
  })
})
