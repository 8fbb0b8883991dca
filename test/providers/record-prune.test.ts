/**
 * `records.keep` on every real record store (a directory for local and haproxy, SSM parameters in
 * moto, ConfigMaps in the real cluster): a retire's intent record goes with its outcome and counts
 * once, and neither the live release nor the one `rollback` goes back to is ever pruned, however
 * many failed releases, retires and broken locks came since.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { writeRecord } from '../../src/core/records.ts'
import { openTarget, type Target } from '../../src/core/target.ts'
import { DirectoryRecords } from '../../src/providers/file-records.ts'
import type { ReleaseRecord, ReleaseRecords } from '../../src/providers/types.ts'
import { AWS_ENV, makeAwsProject } from './aws/moto.ts'
import { makeRealKubeProject } from './kubernetes/real-project.ts'

const KEEP = 5
const sha = (n: number) => `${n}`.padStart(2, '0').repeat(20)

/** Record n of the scenario: `what` of release n (a retire's records name the release it stops). */
function record(n: number, at: number, what: 'released' | 'failed' | 'started' | 'retired' | 'lock') {
  const time = new Date(Date.UTC(2026, 0, 1, 0, 0, at)).toISOString()
  const base = { time, service: 'svc', sha: sha(n), configName: `svc rev-${n}`, configDigest: 'd'.repeat(64) }
  if (what === 'lock') return { time, service: 'svc', operation: 'lock', status: 'broken' } as ReleaseRecord
  if (what === 'started' || what === 'retired')
    return { ...base, operation: 'retire', status: what, colour: 'blue' } as ReleaseRecord
  return { ...base, operation: 'release', status: what, configText: `{"n":${n}}` } as ReleaseRecord
}

/** What a store holds, oldest first: `release 2 released`, `retire 1 started`, `lock broken`. */
const held = async (store: ReleaseRecords) =>
  (await store.list(100))
    .reverse()
    .map((r) =>
      [r.operation, r.sha ? Number(r.sha.slice(0, 2)) : undefined, r.status].filter(Boolean).join(' '),
    )

/** Each record written as a run writes it (writeRecord: append, then prune to `records.keep`). */
async function scenario(store: ReleaseRecords): Promise<void> {
  const target = {
    provider: { records: () => store },
    stateDir: await mkdtemp(join(tmpdir(), 'gwd-prune-cache-')),
    config: { records: { keep: KEEP } },
  } as unknown as Pick<Target, 'provider' | 'stateDir' | 'config'>
  let at = 0
  const write = async (...steps: [number, Parameters<typeof record>[2]][]) => {
    for (const [n, what] of steps)
      assert.equal(await writeRecord(target, record(n, at++, what), (m) => assert.fail(m)), undefined)
  }
  try {
    // 1 and 2 go live, 1 (kept for rollback) is retired, three releases fail, a lock is broken.
    await write([1, 'released'], [2, 'released'], [1, 'started'], [1, 'retired'])
    await write([3, 'failed'], [4, 'lock'], [4, 'failed'], [5, 'failed'])
    // `rollback` from 2 redeploys 1 from its record: nothing may go, though 8 records are over 5.
    assert.deepEqual(await held(store), [
      'release 1 released',
      'release 2 released',
      'retire 1 started',
      'retire 1 retired',
      'release 3 failed',
      'lock broken',
      'release 4 failed',
      'release 5 failed',
    ])
    // 6 goes live: rollback goes back to 2, so 1 goes; the retire (one operation) stays with 2.
    await write([6, 'released'])
    assert.equal((await held(store))[0], 'release 2 released')
    assert.equal((await held(store)).length, 8)
    // Three more go live, 9 (never live) is retired: five operations are kept, the retire counting once.
    await write([7, 'released'], [8, 'released'], [9, 'started'], [9, 'retired'])
    await write([10, 'released'])
    assert.deepEqual(await held(store), [
      'release 6 released',
      'release 7 released',
      'release 8 released',
      'retire 9 started',
      'retire 9 retired',
      'release 10 released',
    ])
  } finally {
    await rm(target.stateDir, { recursive: true, force: true })
  }
}

/** The scenario on the record store of a project's target; the project is cleaned up after. */
async function onStoreOf(project: { dir: string; cleanup(): Promise<void> }): Promise<void> {
  try {
    const records = (await openTarget({ cwd: project.dir })).provider.records?.()
    assert.ok(records)
    await scenario(records)
  } finally {
    await project.cleanup()
  }
}

describe('records.keep on the real record stores', { concurrency: false }, () => {
  it('a directory (local, haproxy)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gwd-prune-'))
    try {
      await scenario(new DirectoryRecords(join(dir, 'records')))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('SSM parameters (aws, moto)', async () => {
    Object.assign(process.env, AWS_ENV)
    await onStoreOf(await makeAwsProject({ size: 1 }))
  })

  it('ConfigMaps (kubernetes, real cluster)', async () => {
    await onStoreOf(await makeRealKubeProject())
  })
})
