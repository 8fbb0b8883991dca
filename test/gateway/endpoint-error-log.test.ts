// The ERROR lines lura's endpoint handler writes for failed backend calls, as KrakenD CE 2.13.8
// writes them. A client that leaves before its answer cancels the calls still running for it; lura
// returns the request context's error for them, and a cancelled context says `context canceled`
// (KrakenD also logs `Error #01: context canceled` in gin's line). Only the endpoint's deadline is
// `context deadline exceeded`: an operator reading the log must not take clients hanging up for
// slow backends. A merge's errors (a multiError) are each logged as `Error #i: `.
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, test } from 'node:test'
import { until } from '../helpers/until.ts'
import {
  linesLogger,
  mustConfig,
  type Running,
  send,
  startBackend,
  startGateway,
  type TestBackend,
} from './helpers.ts'

const lines: string[] = []
let backend: TestBackend
let gw: Running

before(async () => {
  backend = await startBackend('slow', {
    '/slow': { body: { ok: true }, delay_ms: 1500 },
    '/ok': { body: { ok: true } },
    '/broken': { status: 500, body: { e: 1 } },
  })
  const logger = linesLogger(lines)
  gw = await startGateway(
    mustConfig({
      version: 3,
      name: 'client-gone',
      endpoints: [
        { endpoint: '/left', timeout: '10s', backend: [{ host: [backend.origin], url_pattern: '/slow' }] },
        { endpoint: '/late', timeout: '200ms', backend: [{ host: [backend.origin], url_pattern: '/slow' }] },
        {
          endpoint: '/merged',
          backend: [
            { host: [backend.origin], url_pattern: '/broken', group: 'a' },
            { host: [backend.origin], url_pattern: '/ok', group: 'b' },
            { host: [backend.origin], url_pattern: '/nowhere', group: 'c' },
          ],
        },
      ],
    }),
    { logger },
  )
})
after(async () => {
  await gw?.close()
  await backend?.close()
})

/** The ERROR lines logged for `endpoint` once `settle` has run. */
async function errorsFor(endpoint: string, settle: () => Promise<void>): Promise<string[]> {
  await settle()
  gw.gateway.logger.flush()
  return lines
    .join('')
    .split('\n')
    .filter((line) => line.includes(`[ENDPOINT: ${endpoint}]`))
}

test('a client that hangs up mid-request: its backend call is logged as context canceled', async () => {
  const { port } = new URL(gw.url)
  const logged = await errorsFor('/left', async () => {
    const socket = connect(Number(port), '127.0.0.1')
    socket.on('error', () => {})
    const calls = backend.seen.length
    socket.write('GET /left HTTP/1.1\r\nHost: x\r\n\r\n')
    await until(() => backend.seen.length > calls, 'the backend call is running')
    socket.destroy()
    // The cancelled call is logged when it ends: at once, long before the backend would answer
    // (1.5 s), which a call left running would wait for.
    await until(
      () => {
        gw.gateway.logger.flush()
        return lines.join('').includes('[ENDPOINT: /left]')
      },
      'the cancelled call is logged',
      1000,
    )
  })
  assert.equal(logged.length, 1, lines.join(''))
  assert.match(logged[0] as string, /context canceled/)
  assert.doesNotMatch(logged[0] as string, /deadline/)
})

test("the endpoint's deadline is still context deadline exceeded", async () => {
  const logged = await errorsFor('/late', async () => {
    const res = await send(gw.url, { path: '/late' })
    assert.equal(res.status, 500)
  })
  assert.equal(logged.length, 1, lines.join(''))
  assert.match(logged[0] as string, /context deadline exceeded/)
})

test("a merge's failures: one line each, 'Error #i: ' counted over the failures in the order they came", async () => {
  const logged = await errorsFor('/merged', async () => {
    const res = await send(gw.url, { path: '/merged' })
    assert.equal(res.status, 200)
  })
  const parsed = logged.map((line) => /\[ENDPOINT: \/merged\] Error #(\d+): (.*)$/.exec(line.trim()))
  assert.deepEqual(parsed.map((m) => m?.[1]).sort(), ['0', '1'], logged.join(''))
  assert.deepEqual(
    new Set(parsed.map((m) => m?.[2])),
    new Set([
      `invalid status code 500 [GET /broken]: ${backend.origin}/broken`,
      `invalid status code 404 [GET /nowhere]: ${backend.origin}/nowhere`,
    ]),
  )
})
