// An error no handler expected ends its own request, as gin.Recovery (lura's engine) does: a 500
// without a body when nothing was written yet, the connection ended when the answer had started,
// an ERROR line, and the gateway goes on serving. Unrecovered, such an error was an uncaught
// exception (or rejection) that ended the whole process, every other request with it. The fault
// is injected through the logger, the one collaborator the app factory takes from outside.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createLogger, type Logger } from '../../src/gateway/logging.ts'
import { mustConfig, type Running, rawRequest, send, sendRaw, startGateway } from './helpers.ts'

const lines: string[] = []
const failures = { debug: false, access: false }
let gw: Running

before(async () => {
  const logger: Logger = createLogger({
    level: 'DEBUG',
    format: 'default',
    prefix: '[TEST]',
    accessLog: true,
    out: { write: (chunk: string) => lines.push(chunk), writableLength: 0 },
  })
  const { debug, access } = logger
  logger.debug = (message: string) => {
    if (failures.debug) throw new Error('injected fault before the answer')
    debug(message)
  }
  logger.access = (...args) => {
    if (failures.access) throw new Error('injected fault after the answer')
    access(...args)
  }
  gw = await startGateway(mustConfig({ version: 3, name: 'recovery', debug_endpoint: true, endpoints: [] }), {
    logger,
  })
})
after(() => gw?.close())

test('an error before anything was written answers 500 without a body; the next request is served', async () => {
  failures.debug = true
  const res = await send(gw.url, { path: '/__debug/x' })
  failures.debug = false
  assert.equal(res.status, 500)
  assert.equal(res.text, '')
  assert.equal(res.headers['content-length'], '0')
  gw.gateway.logger.flush()
  assert.ok(
    lines.some((line) => line.includes('panic recovered: Error: injected fault before the answer')),
    lines.join(''),
  )
  assert.equal((await send(gw.url, { path: '/__debug/x' })).status, 200)
  assert.equal(gw.gateway.inFlight, 0)
})

test('an error thrown while the request is routed, after its answer went out, ends that connection only', async () => {
  failures.access = true
  const first = await sendRaw(gw.url, rawRequest(['GET /__health HTTP/1.1', 'Host: x']))
  failures.access = false
  // The answer was written before the failing access log line: the client has it.
  assert.equal(first.status, 200)
  gw.gateway.logger.flush()
  assert.ok(lines.some((line) => line.includes('panic recovered: Error: injected fault after the answer')))
  const next = await send(gw.url, { path: '/__health' })
  assert.equal(next.status, 200)
  assert.match(next.text, /"status":"ok"/)
})
