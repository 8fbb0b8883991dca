// pub/sub backends whose server is down or silent: every request still ends by the endpoint
// timeout (a 500), and the server URL's password stays out of the logs. KrakenD, whose open fails
// at start, calls such a backend over HTTP and answers 500 too (see the commit message).
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { after, before, test } from 'node:test'
import { closeNatsConnections } from '../../src/gateway/lazy/pubsub-nats.ts'
import { closeRabbitConnection } from '../../src/gateway/lazy/pubsub-rabbit.ts'
import { freePort } from '../helpers/free-port.ts'
import { linesLogger, mustConfig, type Running, send, startGateway } from './helpers.ts'

const PASSWORD = 'pubsub-secret-pw'
const lines: string[] = []
const sockets: Socket[] = []
let silent: Server
let gw: Running

before(async () => {
  // a server that accepts and never speaks (no NATS INFO, no AMQP connection.start)
  silent = createServer((socket) => sockets.push(socket))
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  const silentPort = (silent.address() as { port: number }).port
  const closed = await freePort()
  process.env.NATS_SERVER_URL = `nats://user:${PASSWORD}@127.0.0.1:${silentPort}`
  process.env.RABBIT_SERVER_URL = `amqp://guest:${PASSWORD}@127.0.0.1:${closed}/`
  const backend = (scheme: string, role: 'publisher' | 'subscriber') => ({
    host: [`${scheme}://`],
    disable_host_sanitize: true,
    url_pattern: '/x',
    extra_config: {
      [`backend/pubsub/${role}`]: role === 'publisher' ? { topic_url: 'down' } : { subscription_url: 'down' },
    },
  })
  gw = await startGateway(
    mustConfig({
      version: 3,
      timeout: '300ms',
      endpoints: [
        { endpoint: '/nats/pub', method: 'POST', backend: [backend('nats', 'publisher')] },
        { endpoint: '/nats/sub', backend: [backend('nats', 'subscriber')] },
        { endpoint: '/rabbit/pub', method: 'POST', backend: [backend('rabbit', 'publisher')] },
        { endpoint: '/rabbit/sub', backend: [backend('rabbit', 'subscriber')] },
      ],
    }),
    { logger: linesLogger(lines) },
  )
})

after(async () => {
  await gw?.close()
  await closeNatsConnections()
  await closeRabbitConnection()
  for (const socket of sockets) socket.destroy()
  await new Promise((resolve) => silent?.close(resolve))
})

// The bound is no measure: a dial left unbounded holds the request for nats.js's 20 s connect timeout.
test('a NATS server that never answers: publisher and subscriber end with the endpoint timeout', {
  timeout: 10_000,
}, async () => {
  assert.equal((await send(gw.url, { method: 'POST', path: '/nats/pub', body: 'x' })).status, 500)
  assert.equal((await send(gw.url, { path: '/nats/sub' })).status, 500)
  const errors = lines.filter((line) => line.includes('[ENDPOINT: /nats/'))
  assert.equal(errors.length, 2, lines.join(''))
  for (const line of errors) assert.match(line, /context deadline exceeded/)
})

test('a RabbitMQ that refuses connections: 500 for both, and no password in the logs', async () => {
  assert.equal((await send(gw.url, { method: 'POST', path: '/rabbit/pub', body: 'x' })).status, 500)
  assert.equal((await send(gw.url, { path: '/rabbit/sub' })).status, 500)
  assert.ok(
    lines.some((line) => line.includes('[ENDPOINT: /rabbit/')),
    lines.join(''),
  )
  assert.ok(!lines.join('').includes(PASSWORD), lines.join(''))
})
