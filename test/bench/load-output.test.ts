// The bench reads figures from real wrk and h2load runs; a run with errors must never give a figure.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { createServer as createH2cServer } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { after, test } from 'node:test'
import { promisify } from 'node:util'
import { readH2load, readWrk, wrkLatencyMs } from '../../bench/gateway/load-output.ts'

const run = promisify(execFile)
let status = 200
const h1 = createServer((_req, res) => {
  res.statusCode = status
  res.end('{"ok":true}')
}).listen(0, '127.0.0.1')
const h2c = createH2cServer((_req, res) => {
  res.statusCode = status
  res.end('{"ok":true}')
}).listen(0, '127.0.0.1')
await Promise.all([once(h1, 'listening'), once(h2c, 'listening')])
after(() => {
  h1.close()
  h2c.close()
})
const url = (server: typeof h1 | typeof h2c) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
const bounded = { encoding: 'utf8' as const, timeout: 20_000 }

test('wrk: requests, req/s and p99 of a clean run; non-2xx answers throw', async () => {
  status = 200
  const { stdout } = await run('wrk', ['-t1', '-c2', '-d1s', '--latency', url(h1)], bounded)
  const figures = readWrk(url(h1), stdout)
  assert.ok(figures.requests > 0, stdout)
  assert.ok(figures.rps > 0, stdout)
  assert.ok(Number.isFinite(figures.p99ms) && figures.p99ms >= 0, stdout)

  status = 500
  const failing = await run('wrk', ['-t1', '-c2', '-d1s', url(h1)], bounded)
  assert.throws(() => readWrk(url(h1), failing.stdout), /non-2xx responses/)
})

test('h2load: completed requests of a clean run; non-2xx answers throw', async () => {
  status = 200
  const { stdout } = await run('h2load', ['-n', '40', '-c', '2', '-m', '4', url(h2c)], bounded)
  const figures = readH2load(url(h2c), stdout)
  assert.equal(figures.requests, 40, stdout)
  assert.ok(figures.rps > 0, stdout)

  status = 404
  const failing = await run('h2load', ['-n', '40', '-c', '2', url(h2c)], bounded)
  assert.throws(() => readH2load(url(h2c), failing.stdout), /40 non-2xx h2 requests/)
})

test("wrk's latency units", () => {
  assert.equal(wrkLatencyMs('812.00us'), 0.812)
  assert.equal(wrkLatencyMs('1.20ms'), 1.2)
  assert.equal(wrkLatencyMs('2.5s'), 2500)
  assert.ok(Number.isNaN(wrkLatencyMs('')))
})
