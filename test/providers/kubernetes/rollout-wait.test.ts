// waitRollout's own guard (a Deployment controller that never reports ProgressDeadlineExceeded),
// on a fake KubeApi and a fake clock: its message names the real deadline (it said "within 0 s").
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gwConfigSchema } from '../../../src/config/schema.ts'
import type { KubeApi } from '../../../src/providers/kubernetes/api.ts'
import { waitRollout } from '../../../src/providers/kubernetes/rollout-wait.ts'
import { kubeSettings } from '../../../src/providers/kubernetes/settings.ts'
import type { FleetSpec } from '../../../src/providers/types.ts'

const settings = kubeSettings(
  gwConfigSchema.parse({
    service: 'payments',
    image: { repository: 'registry.example.com/team/gateway' },
    provider: { kind: 'kubernetes', kubernetes: { progressDeadline: '90s' } },
  }),
)
const spec = { colour: 'green', artifact: { sha7: 'abcdef1' } } as unknown as FleetSpec

/** A Deployment with 2 wanted replicas of which `available` are updated and available. */
const deployment = (available: number) => ({
  metadata: { generation: 1, name: 'payments-green' },
  spec: { replicas: 2 },
  status: { observedGeneration: 1, replicas: 2, updatedReplicas: available, availableReplicas: available },
})

function fakeApi(states: number[]): KubeApi {
  let read = 0
  return {
    ns: 'prod',
    readDeployment: async () => deployment(states[Math.min(read++, states.length - 1)] ?? 0),
    pods: async () => [],
    podLog: async () => '',
  } as unknown as KubeApi
}

/** A clock that returns the given times in turn, then stays at the last. */
const clockOf = (times: number[]) => {
  let i = 0
  return () => times[Math.min(i++, times.length - 1)] ?? 0
}

test('a rollout with no progress past the deadline plus the controller grace gives up naming both', {
  timeout: 20_000,
}, async () => {
  // Start at 0, then 150 s + 1 ms later: past 90 s + 60 s.
  const error = await waitRollout(
    fakeApi([0]),
    settings,
    'payments-green',
    spec,
    {},
    clockOf([0, 150_001]),
  ).then(
    () => undefined,
    (e: Error & { exitCode?: number }) => e,
  )
  assert.ok(error, 'the wait gave up')
  assert.equal(error.exitCode, 4)
  assert.match(error.message, /Deployment prod\/payments-green: no rollout progress for 150 s/)
  assert.match(
    error.message,
    /after the 90 s progress deadline \(provider\.kubernetes\.progressDeadline\) plus 60 s/,
  )
  assert.match(error.message, /still "0 of 2 updated replicas are available"/)
  assert.doesNotMatch(error.message, /within 0 s/)
})

test('progress restarts the guard: a slow rollout that keeps progressing is not cut short', {
  timeout: 20_000,
}, async () => {
  // Start at 0; read 1 (0 available) checked at 0; read 2 (1 available: progress) at 140 s; read 3
  // (still 1) checked at 280 s: past 150 s from the start, but 140 s after the last progress; read 4
  // (2 available): done.
  const clock = clockOf([0, 0, 140_000, 140_000, 280_000])
  await waitRollout(fakeApi([0, 1, 1, 2]), settings, 'payments-green', spec, {}, clock)
})
