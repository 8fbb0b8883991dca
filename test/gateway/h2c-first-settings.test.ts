// Go's HTTP/2 server drops a connection whose client sends its preface and then no SETTINGS frame
// within 2 s (x/net/http2 firstSettingsTimeout): KrakenD CE 2.13.8 closes it, node:http2 held it for
// good, with no timeout configured (crash4, session 54).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { H2_PREFACE } from '../../src/gateway/h2-preface.ts'
import { gatewayWith } from './gateway-fixture.ts'
import { readUntilClosed } from './raw-exchange.ts'

const gateway = gatewayWith(() => ({ version: 3, endpoints: [] }))

test('an h2c preface without SETTINGS: the connection is closed', async () => {
  const { closed } = await readUntilClosed(gateway.url, (socket) => socket.write(H2_PREFACE), 8000)
  assert.equal(closed, true)
})

test('an h2c client that sends its SETTINGS and then nothing keeps its connection', async () => {
  const settings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])
  const { closed } = await readUntilClosed(
    gateway.url,
    (socket) => socket.write(Buffer.concat([H2_PREFACE, settings])),
    3000,
  )
  assert.equal(closed, false)
})
