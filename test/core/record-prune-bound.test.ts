/**
 * records.keep's protection of the live release and the one rollback goes back to ends where every
 * reader stops looking (LOOKBACK): a long run of failed releases does not grow the store for ever.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { recordsToPrune } from '../../src/core/record-prune.ts'
import { LOOKBACK } from '../../src/core/records.ts'
import type { ReleaseRecord } from '../../src/providers/types.ts'

const sha = (n: number) => `${n}`.padStart(2, '0').repeat(20)
const release = (n: number, status: 'released' | 'failed', at: number) =>
  ({
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, at)).toISOString(),
    service: 'svc',
    sha: sha(n),
    operation: 'release',
    status,
  }) as ReleaseRecord

test('failed releases beyond LOOKBACK since the last two went live are pruned, not kept for ever', () => {
  const failures = LOOKBACK + 100
  // Newest first: the failures, then release 2 (live) and release 1 (what rollback goes back to).
  const records = [
    ...Array.from({ length: failures }, (_, i) => release(3, 'failed', failures + 1 - i)),
    release(2, 'released', 1),
    release(1, 'released', 0),
  ]
  const doomed = recordsToPrune(records, 5)
  assert.equal(doomed.slice(0, LOOKBACK).filter(Boolean).length, 0, 'the newest LOOKBACK records stay')
  assert.equal(doomed.slice(LOOKBACK).filter((d) => !d).length, 0, 'every record beyond LOOKBACK goes')
})

test('within LOOKBACK the live release and the one before it stay, however many failed since', () => {
  const records = [
    ...Array.from({ length: 40 }, (_, i) => release(3, 'failed', 41 - i)),
    release(2, 'released', 1),
    release(1, 'released', 0),
  ]
  assert.equal(recordsToPrune(records, 5).filter(Boolean).length, 0)
})
