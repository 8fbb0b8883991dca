import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FOREVER_MS, FREEZE_PREFIX, frozenError } from '../../src/core/freeze-info.ts'

const freeze = (ms: number) => ({
  holder: 'ops@bastion',
  operation: `${FREEZE_PREFIX}incident 42`,
  acquiredAt: '2026-01-01T00:00:00.000Z',
  renewedAt: '2026-01-01T00:00:00.000Z',
  expiresAt: new Date(Date.parse('2026-01-01T00:00:00.000Z') + ms).toISOString(),
})

test('a release refused by a freeze: exit 3, a hint that says once how it ends and whom to ask', () => {
  const forever = frozenError(freeze(FOREVER_MS))
  assert.equal(forever.exitCode, 3)
  assert.equal(
    forever.message,
    'releases are frozen by ops@bastion: "incident 42" (since 2026-01-01T00:00:00.000Z)',
  )
  assert.equal(
    forever.hint,
    'It lasts until lifted: `gwdeploy lock release` lifts it (ask ops@bastion first).',
  )
  const ttl = frozenError(freeze(2 * 3_600_000))
  assert.equal(
    ttl.hint,
    'It ends at 2026-01-01T02:00:00.000Z; `gwdeploy lock release` lifts it sooner (ask ops@bastion first).',
  )
})
