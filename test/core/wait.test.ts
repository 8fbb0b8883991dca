import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { StatusResult } from '../../src/core/operations.ts'
import { goalState } from '../../src/core/wait.ts'

const blueLive = (extra: Partial<StatusResult> = {}): StatusResult => ({
  service: 'api',
  provider: 'local',
  router: { present: true },
  weights: { blue: 100, green: 0 },
  served: true,
  serving: 'blue',
  colours: [
    {
      colour: 'blue',
      role: 'live',
      weight: 100,
      sha: 'a'.repeat(40),
      configName: 'api rev-aaaaaaa',
      configDigest: 'sha256:0',
      nodes: [{ id: 'n1', provider: 'healthy', health: { ok: true, detail: 'ok' } }],
    },
  ],
  lock: null,
  ...extra,
})

test('live: one colour at 100%, its nodes healthy, nothing running, no maintenance page', () => {
  assert.deepEqual(goalState('live', blueLive()), { reached: true, missing: '' })
  assert.deepEqual(goalState('live', blueLive({ maintenance: null })), { reached: true, missing: '' })
})

test('live is not reached while clients get the maintenance page; healthy still is', () => {
  const page = {
    status: 503,
    contentType: 'application/json',
    body: '{}',
    since: '2026-12-02T00:00:00Z',
    by: 'ops',
  }
  const during = blueLive({ maintenance: page })
  assert.deepEqual(goalState('live', during), {
    reached: false,
    missing: 'maintenance is on: clients get the 503 page (gwdeploy maintenance off)',
  })
  assert.equal(goalState('healthy', during).reached, true)
})
