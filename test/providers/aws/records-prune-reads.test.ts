/**
 * The SSM record store's prune, against moto through a proxy that logs every API call: once a run
 * has read the records (the engine lists them before it decides) and writes its own, each write's
 * prune fetches no record value again (GetParameters), where it used to fetch every record per
 * write; and it deletes exactly what the same writes prune from a directory store.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { LOOKBACK, listRecords, writeRecord } from '../../../src/core/records.ts'
import type { Target } from '../../../src/core/target.ts'
import { SsmRecords } from '../../../src/providers/aws/records.ts'
import type { AwsSettings } from '../../../src/providers/aws/settings.ts'
import { DirectoryRecords } from '../../../src/providers/file-records.ts'
import type { ReleaseRecord, ReleaseRecords } from '../../../src/providers/types.ts'
import { requireMoto } from '../../helpers/services.ts'
import { AWS_ENV } from './moto.ts'
import { type MotoProxy, startMotoProxy } from './moto-proxy.ts'

const KEEP = 20
const SEEDED = 30
const sha = (n: number) => `${n}`.padStart(2, '0').repeat(20)

function record(n: number, status: 'released' | 'failed' | 'started' | 'retired'): ReleaseRecord {
  const time = new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString()
  const base = { time, service: 'svc', sha: sha(n), configName: `svc rev-${n}`, configDigest: 'd'.repeat(64) }
  if (status === 'started' || status === 'retired')
    return { ...base, operation: 'retire', status, colour: 'blue' }
  return { ...base, operation: 'release', status, configText: `{"n":${n}}` }
}

/** A run's view of a target whose records are `store`, pruned to KEEP. */
function targetOf(store: ReleaseRecords, stateDir: string) {
  return {
    provider: { records: () => store },
    stateDir,
    config: { records: { keep: KEEP } },
  } as unknown as Pick<Target, 'provider' | 'stateDir' | 'config'>
}

const held = async (store: ReleaseRecords) =>
  (await store.list(LOOKBACK)).map((r) => `${r.time} ${r.operation} ${r.status}`)

describe('SSM records: the prune after a run has read the records (moto)', { concurrency: false }, () => {
  let proxy: MotoProxy
  let settings: AwsSettings
  let dir: string
  before(async () => {
    Object.assign(process.env, AWS_ENV)
    proxy = await startMotoProxy((await requireMoto()).endpoint)
    settings = {
      key: `prune-reads-${randomBytes(4).toString('hex')}`,
      aws: { region: 'us-east-1', endpoint: proxy.endpoint, maxAttempts: 3 },
      apiTimeoutMs: 30_000,
    } as unknown as AwsSettings
    dir = await mkdtemp(join(tmpdir(), 'gwd-prune-reads-'))
  })
  after(async () => {
    await proxy?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('fetches no record twice, and keeps what a directory store keeps', async () => {
    // More records than keep on both stores: the live releases, failed ones in between.
    const seeded = Array.from({ length: SEEDED }, (_, i) =>
      record(i + 1, i % 3 === 2 ? 'failed' : 'released'),
    )
    const files = new DirectoryRecords(join(dir, 'records'))
    const seeder = new SsmRecords(settings)
    for (const r of seeded) await Promise.all([seeder.append(r), files.append(r)])
    seeder.close()
    // One run: it lists the records, then writes what a release onto the kept colour writes.
    const run = new SsmRecords(settings)
    const writes = [
      record(SEEDED + 1, 'started'),
      record(SEEDED + 2, 'retired'),
      record(SEEDED + 3, 'released'),
    ]
    try {
      assert.equal((await listRecords(targetOf(run, dir), LOOKBACK)).length, SEEDED)
      const from = proxy.actions.length
      for (const r of writes) {
        for (const store of [run, files]) {
          const unwritten = await writeRecord(targetOf(store, dir), r, (m) => assert.fail(m))
          assert.equal(unwritten, undefined)
        }
      }
      const calls = proxy.actions.slice(from)
      assert.equal(calls.filter((a) => a === 'GetParameters').length, 0, calls.join(' '))
      assert.ok(calls.includes('DeleteParameters'), calls.join(' '))
    } finally {
      run.close()
    }
    const fresh = new SsmRecords(settings)
    try {
      const kept = await held(fresh)
      assert.deepEqual(kept, await held(files))
      assert.ok(kept.length < SEEDED + writes.length, `${kept.length} kept`)
    } finally {
      fresh.close()
    }
  })
})
