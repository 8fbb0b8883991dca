import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { connect, type KubeClient } from '../../../src/providers/kubernetes/client.ts'
import { LeaseLock, microTime } from '../../../src/providers/kubernetes/lease.ts'
import { kubeNames } from '../../../src/providers/kubernetes/names.ts'
import type { KubeSettings } from '../../../src/providers/kubernetes/settings.ts'
import { type AdminCluster, requireKubernetes } from '../../helpers/kubernetes.ts'
import { makeServiceAccountNamespace } from './real-project.ts'

// Against the real API server (scripts/k8s/cluster.sh), as a ServiceAccount bound to the shipped Role.
let cluster: AdminCluster
let client: KubeClient
let dir: string
let namespace: string
let settings: KubeSettings
const request = (holder: string, ttlMs = 60_000) => ({
  holder,
  operation: 'release',
  sha: 'a'.repeat(40),
  ttlMs,
})

before(async () => {
  cluster = await requireKubernetes()
  dir = await mkdtemp(join(tmpdir(), 'gwd-lease-'))
  namespace = await makeServiceAccountNamespace(cluster, dir)
  settings = { names: kubeNames({ namespace, service: 'lease-test' }) } as KubeSettings
  client = await connect({ kubeconfig: 'kubeconfig.yaml', dir })
})
after(async () => {
  if (namespace) await cluster.call('DELETE', `/api/v1/namespaces/${namespace}`).catch(() => {})
  await rm(dir, { recursive: true, force: true })
})

const leaseVersion = async () =>
  (
    await cluster.call(
      'GET',
      `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/lease-test-gwdeploy-lock`,
    )
  ).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion

test('the API server rejects a three-digit MicroTime; microTime() sends six', async () => {
  assert.match(microTime(new Date('2025-01-02T03:04:05.678Z')), /^2025-01-02T03:04:05\.678000Z$/)
  await assert.rejects(
    client.coordination.createNamespacedLease({
      namespace,
      body: { metadata: { name: 'bad' }, spec: { holderIdentity: 'x', renewTime: new Date() } },
    }),
    (error: { code?: number }) => error.code === 400,
  )
})

test('create, 409 while held, renew, release; an expired Lease is taken over with its resourceVersion', async () => {
  const first = new LeaseLock(async () => client, settings)
  const second = new LeaseLock(async () => client, settings)
  const got = await first.tryAcquire(request('first', 1_000))
  assert.equal(got.acquired, true)
  const held = await second.tryAcquire(request('second'))
  assert.equal(held.acquired, false)
  assert.equal(held.lock.holder, 'first')
  assert.equal(held.lock.sha, 'a'.repeat(40))
  const before = await leaseVersion()
  const renewed = await first.renew()
  assert.equal(renewed.holder, 'first')
  assert.notEqual(await leaseVersion(), before)
  await new Promise((resolve) => setTimeout(resolve, 1_300)) // leaseDurationSeconds: 1
  const taken = await second.tryAcquire(request('second'))
  assert.equal(taken.acquired, true)
  // What it replaced, for the engine's warning: the expired holder's lock.
  assert.equal(taken.acquired && taken.tookOver?.holder, 'first')
  await assert.rejects(first.renew(), /the lock was lost: .*held by second/)
  await first.release() // no-op: not ours any more
  assert.equal((await second.status())?.holder, 'second')
  await second.release()
  assert.equal(await second.status(), null)
})
