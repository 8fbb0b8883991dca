// lura's shadow proxy copies the request (CloneRequest) before it starts the shadow call, whether
// that call is ever sent or not: the main backend gets the copy, never http.NoBody.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, rawRequest, sendRaw, startGateway } from './helpers.ts'
import { type RawBackend, startRawBackend } from './raw-backend.ts'

let backend: RawBackend
let gw: Running

before(async () => {
  backend = await startRawBackend()
  const host = [backend.origin]
  const shadow = (shadow_timeout: string) => ({
    host,
    url_pattern: '/shadow',
    method: 'POST',
    extra_config: { proxy: { shadow: true, shadow_timeout } },
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: ['-1s', '0s'].map((timeout, i) => ({
        endpoint: `/never-shadowed-${i}`,
        method: 'DELETE',
        backend: [{ host, url_pattern: `/main-${i}`, method: 'POST' }, shadow(timeout)],
      })),
    }),
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

test('a shadow whose shadow_timeout is 0 or below is never called, yet the main POST backend gets the copied empty body chunked, as from KrakenD (it got Content-Length: 0)', async () => {
  for (const i of [0, 1]) {
    const res = await sendRaw(gw.url, rawRequest([`DELETE /never-shadowed-${i} HTTP/1.1`, 'Host: gw']))
    assert.equal(res.status, 200)
    const head = backend.head()
    assert.match(head, new RegExp(`^POST /main-${i} HTTP/1.1\\r\\n`))
    assert.match(head, /\r\nTransfer-Encoding: chunked(\r\n|$)/)
    assert.doesNotMatch(head, /\r\nContent-Length:/i)
    assert.ok(backend.requests.at(-1)?.endsWith('\r\n\r\n0\r\n\r\n'), 'an empty chunked body')
  }
  await new Promise((resolve) => setTimeout(resolve, 100))
  assert.equal(backend.requests.filter((r) => r.startsWith('POST /shadow')).length, 0, 'no shadow call')
})
