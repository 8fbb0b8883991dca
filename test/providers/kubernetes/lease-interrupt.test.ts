// An acquire stopped by the run's interrupt after its create reached the real API server (the
// answer held back by a stalling proxy): the call stops at once with the interrupt, and the Lease
// it created is deleted, not left to block the next run until its TTL.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { interruptedError } from '../../../src/core/errors.ts'
import { connect, type KubeClient } from '../../../src/providers/kubernetes/client.ts'
import { LeaseLock } from '../../../src/providers/kubernetes/lease.ts'
import { kubeNames } from '../../../src/providers/kubernetes/names.ts'
import type { KubeSettings } from '../../../src/providers/kubernetes/settings.ts'
import { type AdminCluster, requireKubernetes } from '../../helpers/kubernetes.ts'
import { makeServiceAccountNamespace } from './real-project.ts'
import { type StallingProxy, stallingProxy } from './stalling-proxy.ts'

let cluster: AdminCluster
let client: KubeClient
let proxy: StallingProxy
let dir: string
let namespace: string
let settings: KubeSettings

before(async () => {
  cluster = await requireKubernetes()
  dir = await mkdtemp(join(tmpdir(), 'gwd-lease-stop-'))
  namespace = await makeServiceAccountNamespace(cluster, dir)
  settings = { names: kubeNames({ namespace, service: 'lease-stop' }) } as KubeSettings
  proxy = await stallingProxy(cluster.server)
  const kubeconfig = await readFile(join(dir, 'kubeconfig.yaml'), 'utf8')
  await writeFile(
    join(dir, 'kubeconfig-proxy.yaml'),
    kubeconfig.replace(`server: ${cluster.server}`, `server: ${proxy.url}`),
  )
  client = await connect({ kubeconfig: 'kubeconfig-proxy.yaml', dir })
})
after(async () => {
  await proxy?.close()
  if (namespace) await cluster.call('DELETE', `/api/v1/namespaces/${namespace}`).catch(() => {})
  await rm(dir, { recursive: true, force: true })
})

const leaseStatus = async () =>
  (
    await cluster.call(
      'GET',
      `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/lease-stop-gwdeploy-lock`,
    )
  ).status

test('an acquire interrupted after its create reached the API server: exit 130 at once, the Lease deleted', {
  timeout: 60_000,
}, async () => {
  const lock = new LeaseLock(async () => client, settings)
  // A connection up and idle, so the create goes out on it and only its answer is held.
  assert.equal(await lock.status(), null)
  proxy.stall(true)
  const stop = new AbortController()
  const attempt = lock.tryAcquire(
    { holder: 'me@here pid 1', operation: 'release', ttlMs: 600_000 },
    { signal: stop.signal },
  )
  attempt.catch(() => {})
  for (let waited = 0; (await leaseStatus()) !== 200; waited += 100) {
    assert.ok(waited < 20_000, 'the create never reached the API server')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  proxy.stall(false)
  stop.abort(interruptedError('SIGINT'))
  await assert.rejects(attempt, { exitCode: 130, message: 'interrupted by SIGINT' })
  assert.equal(await leaseStatus(), 404, 'the Lease the stopped acquire created is gone')
})
