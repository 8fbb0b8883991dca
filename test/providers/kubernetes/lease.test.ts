import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { connect, type KubeClient } from '../../../src/providers/kubernetes/client.ts'
import { LeaseLock, microTime } from '../../../src/providers/kubernetes/lease.ts'
import { kubeNames } from '../../../src/providers/kubernetes/names.ts'
import type { KubeSettings } from '../../../src/providers/kubernetes/settings.ts'
import { testDocker } from '../../helpers/docker.ts'
import { type FakeApiServer, startFakeApiServer } from './fake-apiserver/server.ts'

let api: FakeApiServer
let client: KubeClient
let dir: string
const settings = { names: kubeNames({ namespace: 'locks', service: 'lease-test' }) } as KubeSettings
const request = (holder: string, ttlMs = 60_000) => ({
  holder,
  operation: 'release',
  sha: 'a'.repeat(40),
  ttlMs,
})

before(async () => {
  api = await startFakeApiServer({ docker: (await testDocker()).docker })
  dir = await mkdtemp(join(tmpdir(), 'gwd-lease-'))
  await api.writeKubeconfig(join(dir, 'kubeconfig.json'))
  client = await connect({ kubeconfig: 'kubeconfig.json', dir })
})
after(async () => {
  await api?.close()
  await rm(dir, { recursive: true, force: true })
})

test('the API server rejects a three-digit MicroTime; microTime() sends six', async () => {
  assert.match(microTime(new Date('2025-01-02T03:04:05.678Z')), /^2025-01-02T03:04:05\.678000Z$/)
  await assert.rejects(
    client.coordination.createNamespacedLease({
      namespace: 'locks',
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
  const before = api.get('leases', 'locks', 'lease-test-gwdeploy-lock').metadata.resourceVersion
  const renewed = await first.renew()
  assert.equal(renewed.holder, 'first')
  assert.notEqual(api.get('leases', 'locks', 'lease-test-gwdeploy-lock').metadata.resourceVersion, before)
  await new Promise((resolve) => setTimeout(resolve, 1_300)) // leaseDurationSeconds: 1
  const taken = await second.tryAcquire(request('second'))
  assert.equal(taken.acquired, true)
  await assert.rejects(first.renew(), /the lock was lost: .*held by second/)
  await first.release() // no-op: not ours any more
  assert.equal((await second.status())?.holder, 'second')
  await second.release()
  assert.equal(await second.status(), null)
})
