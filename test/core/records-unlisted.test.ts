/**
 * A target whose release records cannot be listed at all (the local records directory replaced by
 * a file): `history` says so with exit 6, where they are and what to do (it was exit 1, "a bug");
 * the readers that go on without them warn with the same words.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { isGwError } from '../../src/core/errors.ts'
import { listRecords, recordsOrNone } from '../../src/core/records.ts'
import { tempDir } from '../helpers/files.ts'

function target() {
  const stateDir = tempDir('gwdeploy-records-')
  const where = join(stateDir, 'records')
  writeFileSync(where, 'not a directory')
  const records = {
    where,
    append: async () => {},
    prune: async () => 0,
    list: async () => {
      await readdir(where)
      return []
    },
  }
  return { stateDir, where, provider: { records: () => records } } as unknown as Parameters<
    typeof listRecords
  >[0] & { where: string }
}

test('records that cannot be listed: exit 6 naming where they are, not a bug', async () => {
  const t = target()
  await assert.rejects(listRecords(t, 20), (error: unknown) => {
    assert.ok(isGwError(error), String(error))
    assert.equal(error.exitCode, 6)
    assert.ok(error.message.includes(t.where), error.message)
    assert.match(error.message, /ENOTDIR/)
    assert.match(error.hint ?? '', /Restore them there/)
    return true
  })
})

test('a reader that goes on without them warns once, with the same words', async () => {
  const t = target()
  const warnings: string[] = []
  assert.deepEqual(await recordsOrNone(t, 20, (w) => warnings.push(w)), [])
  assert.equal(warnings.length, 1)
  assert.match(
    warnings[0] ?? '',
    /^the release records on the target \(.*\) cannot be listed: ENOTDIR.*; going on without them$/,
  )
})
