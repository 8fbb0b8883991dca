import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { GwError } from '../../src/core/errors.ts'
import type { StatusResult } from '../../src/core/operations.ts'
import { goalState, waitForGoal } from '../../src/core/wait.ts'

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

const nothingLeft = (extra: Partial<StatusResult> = {}): StatusResult => {
  const live = blueLive()
  const [blue] = live.colours
  if (!blue) throw new Error('no blue')
  const gone = { id: 'n1', provider: 'gone' as const, providerDetail: 'pid 1 exited' }
  return { ...live, colours: [{ ...blue, nodes: [gone] }], lastRelease: undefined, ...extra }
}

test('--wait-for with nothing served: exit 6 at the first poll, naming it; while a rollback runs it waits for it', async () => {
  let polls = 0
  const stuck = waitForGoal(
    async () => {
      polls++
      return nothingLeft()
    },
    { goal: 'live', timeoutMs: 60_000, intervalMs: 1 },
  )
  await assert.rejects(stuck, (error: GwError) => {
    assert.equal(error.exitCode, 6)
    assert.equal(
      error.message,
      'nothing is served, waiting for live cannot help: blue (aaaaaaa) gets 100% of requests, but none of its 1 node(s) is left (n1: pid 1 exited)',
    )
    assert.equal(error.hint, `\`gwdeploy release --sha ${'a'.repeat(40)}\` brings aaaaaaa back.`)
    return true
  })
  assert.equal(polls, 1)

  const running = {
    holder: 'ops@host',
    operation: 'rollback',
    acquiredAt: '2026-12-05T00:00:00Z',
    renewedAt: '2026-12-05T00:00:00Z',
    expiresAt: '2026-12-05T01:00:00Z',
    expired: false,
  }
  const states = [
    nothingLeft({ lock: running }),
    nothingLeft({ lock: running }),
    nothingLeft({ lock: running }),
    blueLive(),
  ]
  const progress: string[] = []
  const reached = await waitForGoal(async () => states.shift() ?? blueLive(), {
    goal: 'live',
    timeoutMs: 60_000,
    intervalMs: 1,
    onWaiting: (missing) => progress.push(missing),
  })
  assert.equal(reached.serving, 'blue')
  assert.deepEqual(
    progress,
    Array(3).fill(
      'blue: 0/1 nodes healthy, nothing is served: blue (aaaaaaa) gets 100% of requests, but none of its 1 node(s) is left (n1: pid 1 exited), rollback in progress (ops@host)',
    ),
  )
})

test('the router down is no live or healthy, whatever the recorded weights say: exit 6 at the first poll (it was reached, exit 0)', async () => {
  const down = blueLive({ router: { present: false, detail: 'front proxy pid 9 exited' } })
  for (const goal of ['live', 'healthy'] as const) {
    assert.deepEqual(goalState(goal, down), {
      reached: false,
      missing: 'nothing is served: the router is not running (front proxy pid 9 exited)',
    })
    let polls = 0
    const wait = waitForGoal(
      async () => {
        polls++
        return down
      },
      { goal, timeoutMs: 60_000, intervalMs: 1 },
    )
    await assert.rejects(wait, (error: GwError) => {
      assert.equal(error.exitCode, 6)
      assert.equal(
        error.message,
        `nothing is served, waiting for ${goal} cannot help: the router is not running (front proxy pid 9 exited)`,
      )
      return true
    })
    assert.equal(polls, 1)
  }
})
