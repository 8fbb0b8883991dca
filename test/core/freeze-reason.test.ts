/** A freeze reason as each lock store can keep it: on aws, in an ALB tag value. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isGwError } from '../../src/core/errors.ts'
import { freeze } from '../../src/core/freeze.ts'
import type { Target } from '../../src/core/target.ts'
import type { LockRequest } from '../../src/providers/types.ts'

function targetOn(id: string, seen: LockRequest[]): Target {
  const lock = {
    async tryAcquire(request: LockRequest) {
      seen.push(request)
      return {
        acquired: true,
        lock: { holder: request.holder, acquiredAt: '', renewedAt: '', expiresAt: '' },
      }
    },
  }
  return { provider: { id, lock: () => lock } } as unknown as Target
}

describe('freeze reasons on aws', () => {
  it('keep what a tag value allows; a reason with nothing left is exit 2 and takes no lock', async () => {
    const seen: LockRequest[] = []
    await freeze(targetOn('aws', seen), { reason: 'release train 42 (QA) — 東京' })
    assert.equal(seen[0]?.operation, 'freeze: release train 42 QA 東京')
    const error = await freeze(targetOn('aws', seen), { reason: '🚀 !!! 🚀' }).catch((e: unknown) => e)
    assert.ok(isGwError(error), String(error))
    assert.equal(error.exitCode, 2)
    assert.match(error.message, /keeps no character an AWS tag value allows/)
    assert.equal(seen.length, 1, 'no lock was asked for')
    await freeze(targetOn('local', seen), { reason: '🚀 !!! 🚀' })
    assert.equal(seen[1]?.operation, 'freeze: 🚀 !!! 🚀', 'other stores keep it as written')
  })
})
