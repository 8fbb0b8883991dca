// modifier/martian on the answer side writes headers through proxyutil.ResponseHeader, where Host
// is no header at all: Set, Add and Del of Host do nothing and Get("Host") is "", so no modifier
// puts a Host field on a no-op answer (KrakenD CE 2.13.8: krakend-diff, 6 cases, 4 differed, 0 now;
// martiangen SEED=11164 N=24 ODD=1: 8 of 96 differed, 0 now).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mustConfig, type Running, send, startBackend, startGateway, type TestBackend } from './helpers.ts'

let backend: TestBackend
let gw: Running

const noop = (path: string, modifier: Record<string, unknown>) => ({
  endpoint: path,
  output_encoding: 'no-op',
  backend: [
    {
      host: [backend.origin],
      url_pattern: '/echo',
      encoding: 'no-op',
      extra_config: { 'modifier/martian': modifier },
    },
  ],
})

before(async () => {
  backend = await startBackend('b')
  gw = await startGateway(
    mustConfig({
      version: 3,
      endpoints: [
        noop('/set', { 'header.Modifier': { scope: ['response'], name: 'Host', value: 'x.example' } }),
        noop('/empty', { 'header.Modifier': { scope: ['response'], name: 'Host', value: '' } }),
        noop('/copy', { 'header.Copy': { scope: ['response'], from: 'Content-Type', to: 'Host' } }),
        noop('/other', { 'header.Modifier': { scope: ['response'], name: 'X-Foo', value: 'v' } }),
      ],
    }),
  )
})

after(async () => {
  await gw?.close()
  await backend?.close()
})

test('no martian modifier writes a Host field on an answer', async () => {
  for (const path of ['/set', '/empty', '/copy']) {
    const res = await send(gw.url, { path })
    assert.equal(res.status, 200, path)
    assert.equal(res.headers.host, undefined, path)
  }
})

test('other names are written on the answer', async () => {
  assert.equal((await send(gw.url, { path: '/other' })).headers['x-foo'], 'v')
})
