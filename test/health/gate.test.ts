import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { probe, runHealthGate } from '../../src/health/gate.ts'
import { runSmokeChecks } from '../../src/health/smoke.ts'

describe('health gate', () => {
  let server: http.Server
  let base: URL
  let healthyAfter = 0
  let hits = 0
  before(async () => {
    server = http.createServer((req, res) => {
      hits += 1
      if (req.url === '/__health') {
        const ok = hits > healthyAfter
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ status: ok ? 'ok' : 'draining', name: 'svc rev-abc1234' }))
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 2_000)
      } else {
        res.writeHead(404)
        res.end('404 page not found')
      }
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  })
  after(() => {
    server.closeAllConnections()
    server.close()
  })

  const settings = { path: '/__health', intervalMs: 20, timeoutMs: 500, rise: 2, deadlineMs: 3_000 }

  it('passes after `rise` consecutive successes reporting the expected name', async () => {
    hits = 0
    healthyAfter = 3
    const result = await runHealthGate([{ node: 'n1', url: base }], {
      ...settings,
      expectName: 'svc rev-abc1234',
    })
    assert.equal(result.ok, true)
    assert.equal(result.nodes[0]?.checks, 5)
  })

  it('fails a node that reports another config name, saying which', async () => {
    healthyAfter = 0
    const result = await runHealthGate([{ node: 'n1', url: base }], {
      ...settings,
      deadlineMs: 200,
      expectName: 'svc rev-0000000',
    })
    assert.equal(result.ok, false)
    assert.match(
      result.nodes[0]?.detail ?? '',
      /reports config name "svc rev-abc1234", expected "svc rev-0000000"/,
    )
  })

  it('fails on a wrong status before the deadline, with the status in the detail', async () => {
    const result = await runHealthGate([{ node: 'n1', url: base }], {
      ...settings,
      path: '/nope',
      deadlineMs: 300,
    })
    assert.equal(result.ok, false)
    assert.match(result.nodes[0]?.detail ?? '', /not healthy within 300 ms: GET \/nope answered 404/)
  })

  it('a per-check timeout is a failed check', async () => {
    const result = await probe(base, '/slow', 100)
    assert.equal(result.ok, false)
    assert.match(result.detail, /no answer within 100 ms/)
  })

  it('fatal() ends a node at once', async () => {
    const result = await runHealthGate(
      [{ node: 'n1', url: base }],
      { ...settings, path: '/nope', deadlineMs: 60_000 },
      {
        fatal: async () => 'process exited',
      },
    )
    assert.equal(result.ok, false)
    assert.match(result.nodes[0]?.detail ?? '', /process exited/)
  })

  it('smoke checks: status and body fragment', async () => {
    const results = await runSmokeChecks(
      base,
      [
        { method: 'GET', path: '/__health', status: 200, bodyContains: 'rev-abc1234' },
        { name: 'missing', method: 'GET', path: '/x', status: 200 },
        { method: 'GET', path: '/__health', status: 200, bodyContains: 'nope' },
      ],
      500,
    )
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, false, false],
    )
    assert.match(results[1]?.detail ?? '', /answered 404, expected 200/)
  })
})
