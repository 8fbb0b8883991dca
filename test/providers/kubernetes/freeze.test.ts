/** A release freeze in the kubernetes Lease (fake API server): stored, reported, honoured by the engine's lock, lifted. */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { FOREVER_MS, freeze, isFreeze, releaseLockOrFreeze } from '../../../src/core/freeze.ts'
import { acquireLock } from '../../../src/core/lock.ts'
import type { Target } from '../../../src/core/target.ts'
import { connect } from '../../../src/providers/kubernetes/client.ts'
import { LeaseLock } from '../../../src/providers/kubernetes/lease.ts'
import { ANNOTATION, kubeNames } from '../../../src/providers/kubernetes/names.ts'
import type { KubeSettings } from '../../../src/providers/kubernetes/settings.ts'
import { testDocker } from '../../helpers/docker.ts'
import { type FakeApiServer, startFakeApiServer } from './fake-apiserver/server.ts'

let api: FakeApiServer
let dir: string
let target: Target

before(async () => {
  api = await startFakeApiServer({ docker: (await testDocker()).docker })
  dir = await mkdtemp(join(tmpdir(), 'gwd-freeze-'))
  await api.writeKubeconfig(join(dir, 'kubeconfig.json'))
  const client = await connect({ kubeconfig: 'kubeconfig.json', dir })
  const settings = { names: kubeNames({ namespace: 'freeze', service: 'frozen' }) } as KubeSettings
  const lock = new LeaseLock(async () => client, settings)
  target = { provider: { id: 'kubernetes', lock: () => lock } } as unknown as Target
})
after(async () => {
  await api?.close()
  await rm(dir, { recursive: true, force: true })
})

test('freeze: a Lease whose holder and reason are read back; releases exit 3 until it is lifted', async () => {
  const { lock } = await freeze(target, { reason: 'quarterly audit' })
  assert.ok(isFreeze(lock))
  const lease = api.get('leases', 'freeze', 'frozen-gwdeploy-lock')
  assert.equal(lease?.spec.leaseDurationSeconds, FOREVER_MS / 1000)
  assert.equal(lease?.metadata.annotations?.[ANNOTATION.operation], 'freeze: quarterly audit')
  await assert.rejects(
    acquireLock(
      target.provider.lock(),
      { holder: 'ci', operation: 'release', ttlMs: 60_000 },
      { waitMs: 30_000 },
    ),
    (error: { exitCode?: number; message: string }) =>
      error.exitCode === 3 && /releases are frozen by \S+: "quarterly audit"/.test(error.message),
  )
  const lifted = await releaseLockOrFreeze(target, false)
  assert.equal(lifted.thawed, true)
  const held = await acquireLock(
    target.provider.lock(),
    { holder: 'ci', operation: 'release', ttlMs: 60_000 },
    { waitMs: 0 },
  )
  await held.release()
})
