// What blocks a rollout, from pod and Deployment objects shaped as the real cluster answered
// (kubernetes-real-stuck-pods.test.ts), and how long each may last before the release fails.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type * as k8s from '@kubernetes/client-node'
import { describePod } from '../../../src/providers/kubernetes/fleet.ts'
import { BlockerClock, rolloutBlockers } from '../../../src/providers/kubernetes/stuck-pods.ts'

const image = '127.0.0.1:5000/team/gw@sha256:8e3b'
const pod = (name: string, status: Record<string, unknown>) =>
  ({ metadata: { name }, status }) as unknown as k8s.V1Pod
const waiting = (reason: string, message: string, extra: Record<string, unknown> = {}) => ({
  containerStatuses: [{ name: 'gateway', image, state: { waiting: { reason, message } }, ...extra }],
})
const noDeployment = {} as k8s.V1Deployment

test('a crash loop names the exit code of the last run and is due at once', () => {
  const blockers = rolloutBlockers(noDeployment, [
    pod(
      'gw-green-1',
      waiting('CrashLoopBackOff', 'back-off 10s restarting failed container', {
        restartCount: 2,
        lastState: { terminated: { exitCode: 9, reason: 'Error' } },
      }),
    ),
  ])
  assert.equal(blockers.length, 1)
  assert.match(
    blockers[0]?.detail ?? '',
    /^CrashLoopBackOff: the gateway container exited with code 9 \(Error\)/,
  )
  assert.match(blockers[0]?.detail ?? '', /restarted 2 time\(s\)/)
  const clock = new BlockerClock({ pullMs: 20_000, clusterMs: 60_000 })
  assert.equal(clock.due(blockers, 1_000)?.blocker.kind, 'crash')
})

test("a failing pull names the image once, keeps the kubelet's reason, and is due after its grace", () => {
  const message = `Back-off pulling image "${image}": ErrImagePull: rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`
  const blockers = rolloutBlockers(noDeployment, [pod('gw-blue-1', waiting('ImagePullBackOff', message))])
  assert.equal(
    blockers[0]?.detail,
    `cannot pull ${image} (ImagePullBackOff): ErrImagePull: NotFound: failed to pull and unpack image: failed to resolve reference: not found`,
  )
  const clock = new BlockerClock({ pullMs: 20_000, clusterMs: 60_000 })
  assert.equal(clock.due(blockers, 0), undefined)
  assert.equal(clock.due(blockers, 19_999), undefined)
  assert.equal(clock.due(blockers, 20_000)?.lastedMs, 20_000)
})

test('a blocker that clears starts over when it comes back', () => {
  const unschedulable = pod('gw-green-1', {
    phase: 'Pending',
    conditions: [
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message: "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
      },
    ],
  })
  const clock = new BlockerClock({ pullMs: 20_000, clusterMs: 60_000 })
  assert.equal(clock.due(rolloutBlockers(noDeployment, [unschedulable]), 0), undefined)
  assert.equal(clock.due([], 30_000), undefined)
  assert.equal(clock.due(rolloutBlockers(noDeployment, [unschedulable]), 70_000), undefined)
  const due = clock.due(rolloutBlockers(noDeployment, [unschedulable]), 130_000)
  assert.match(due?.blocker.detail ?? '', /^Unschedulable: 0\/1 nodes are available/)
  assert.equal(
    describePod(unschedulable),
    "Pending: Unschedulable (0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.)",
  )
})

test('a pod waiting on a preemption (nominated node) is getting a place: not a blocker', () => {
  const preempting = pod('gw-green-1', {
    nominatedNodeName: 'node-1',
    conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
  })
  assert.deepEqual(rolloutBlockers(noDeployment, [preempting]), [])
})

test("pods the API server refuses: the Deployment's ReplicaFailure condition", () => {
  const deployment = {
    status: {
      conditions: [
        {
          type: 'ReplicaFailure',
          status: 'True',
          reason: 'FailedCreate',
          message: 'pods "gw-green-x" is forbidden: exceeded quota: two-pods',
        },
      ],
    },
  } as unknown as k8s.V1Deployment
  const blockers = rolloutBlockers(deployment, [])
  assert.equal(blockers[0]?.kind, 'refused')
  assert.equal(blockers[0]?.detail, 'FailedCreate: pods "gw-green-x" is forbidden: exceeded quota: two-pods')
})

test("a kept failed colour's pods of the old template do not block the rollout of the fixed one", () => {
  const template = (env: string) => ({
    containers: [{ name: 'gateway', image, env: [{ name: 'NODE_OPTIONS', value: env }] }],
  })
  const deployment = { spec: { template: { spec: template('') } } } as unknown as k8s.V1Deployment
  const crashing = (name: string, env: string) =>
    ({
      metadata: { name },
      spec: template(env),
      status: waiting('CrashLoopBackOff', 'back-off', { lastState: { terminated: { exitCode: 9 } } }),
    }) as unknown as k8s.V1Pod
  assert.deepEqual(rolloutBlockers(deployment, [crashing('old', '--no-such-node-flag')]), [])
  assert.equal(rolloutBlockers(deployment, [crashing('new', '')])[0]?.pod, 'new')
})

test('status of a crash-looping pod says how its last run ended (OOMKilled), not only when the next restart is', () => {
  const oom = pod(
    'gw-blue-1',
    waiting('CrashLoopBackOff', 'back-off 5m0s restarting failed container=gateway pod=gw-blue-1_ns(uid)', {
      restartCount: 12,
      lastState: {
        terminated: {
          exitCode: 137,
          reason: 'OOMKilled',
          startedAt: '2026-12-05T03:00:00Z',
          finishedAt: '2026-12-05T03:00:42Z',
        },
      },
    }),
  )
  assert.equal(
    describePod(oom),
    'CrashLoopBackOff: the gateway container exited with code 137 (OOMKilled) after 42 s; restarted 12 time(s), the kubelet now waits before each restart',
  )
})

test("a container the runtime could not start: the runtime's reason, no run time from its zero startedAt", () => {
  // As the kubelet reported it when the image's root directory was not traversable by the gateway's user.
  const message =
    'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "node": executable file not found in $PATH: unknown'
  const neverStarted = pod(
    'gw-blue-1',
    waiting('CrashLoopBackOff', 'back-off 10s restarting failed container', {
      restartCount: 1,
      lastState: {
        terminated: {
          exitCode: 128,
          reason: 'StartError',
          message,
          startedAt: new Date('1970-01-01T00:00:00Z'),
          finishedAt: new Date('2026-12-06T13:01:45Z'),
        },
      },
    }),
  )
  assert.equal(
    describePod(neverStarted),
    `CrashLoopBackOff: the gateway container exited with code 128 (StartError): ${message}; restarted 1 time(s), the kubelet now waits before each restart`,
  )
})
