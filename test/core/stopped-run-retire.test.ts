/**
 * What `status` says of a release killed before it recorded a node: the retire of the idle colour it
 * ran first is named only when it is this run's (a retire recorded before the run's lock was taken
 * is an earlier killed run's, and was named as this one's).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LockView } from '../../src/core/lock-commands.ts'
import { describeStoppedRun } from '../../src/core/stopped-run.ts'
import type { ReleaseRecord } from '../../src/providers/types.ts'

const SHA = '4'.repeat(40)
const state = { fleets: {}, weights: { blue: 100, green: 0 } }
const lock = (acquiredAt: string): LockView => ({
  holder: 'ci@host pid 1',
  sha: SHA,
  operation: 'release',
  acquiredAt,
  renewedAt: acquiredAt,
  expiresAt: '2026-12-07T10:10:00Z',
  expired: false,
  dead: true,
})
const retire: ReleaseRecord = {
  time: '2026-12-07T10:00:05Z',
  operation: 'retire',
  status: 'retired',
  service: 'api',
  sha: '2'.repeat(40),
  colour: 'green',
  partOf: { operation: 'release', sha: SHA },
} as ReleaseRecord

test('a retire recorded by this run is named; one from before its lock is not, and no traffic moved is said', () => {
  const now = describeStoppedRun(state, lock('2026-12-07T10:00:00Z'), undefined, [retire])
  assert.match(
    now ?? '',
    /after it retired green \(2222222\), the idle colour it deploys onto, and before it recorded a node/,
  )
  const later = describeStoppedRun(state, lock('2026-12-07T10:05:00Z'), undefined, [retire])
  assert.doesNotMatch(later ?? '', /retired/)
  assert.match(
    later ?? '',
    /before it recorded a node: no traffic moved \(a node it may have started is stopped by the next release or destroy\)/,
  )
})
