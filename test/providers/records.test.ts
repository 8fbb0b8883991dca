/** Release record stores: the directory store (local, haproxy) and the SSM value encoding (aws). */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { decodeRecord, encodeRecord } from '../../src/providers/aws/records.ts'
import { DirectoryRecords } from '../../src/providers/file-records.ts'
import type { ReleaseRecord } from '../../src/providers/types.ts'

const record = (n: number, configText?: string): ReleaseRecord => ({
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  operation: 'release',
  status: 'released',
  service: 'svc',
  sha: `${n}`.padStart(2, '0').repeat(20),
  configName: `svc rev-${n}`,
  configDigest: 'd'.repeat(64),
  ...(configText ? { configText } : {}),
})

describe('DirectoryRecords', () => {
  let dir: string
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('lists newest first, whatever the order of writing, and prunes all but the newest', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gwd-records-'))
    const store = new DirectoryRecords(join(dir, 'records'))
    assert.deepEqual(await store.list(10), [], 'no directory yet: no records')
    for (const n of [3, 1, 5, 2, 4]) await store.append(record(n, `{"n":${n}}`))
    assert.deepEqual(
      (await store.list(3)).map((r) => r.configName),
      ['svc rev-5', 'svc rev-4', 'svc rev-3'],
    )
    assert.equal((await store.list(1))[0]?.configText, '{"n":5}')
    assert.equal(await store.prune(2), 3)
    assert.equal((await readdir(join(dir, 'records'))).length, 2)
    assert.deepEqual(
      (await store.list(10)).map((r) => r.configName),
      ['svc rev-5', 'svc rev-4'],
    )
  })
})

describe('a record edited by hand into JSON that is no record', () => {
  it('is left out of the directory store and named, with what is wrong', async () => {
    const root = await mkdtemp(join(tmpdir(), 'gwd-records-shape-'))
    try {
      const store = new DirectoryRecords(join(root, 'records'))
      await store.append(record(1))
      await store.append(record(2))
      const names = (await readdir(join(root, 'records'))).sort()
      await writeFile(join(root, 'records', names[1] as string), '{"oops": true}')
      await writeFile(join(root, 'records', '2026-01-01T000000000Z-release-x-0000.json'), '[1]')
      const unreadable: string[] = []
      const listed = await store.list(10, { unreadable: (where, why) => unreadable.push(`${where}: ${why}`) })
      assert.deepEqual(
        listed.map((r) => r.configName),
        ['svc rev-1'],
      )
      assert.equal(unreadable.length, 2, unreadable.join('\n'))
      assert.match(
        unreadable.join('\n'),
        /not a gwdeploy release record \(bad or missing time, operation, status\)/,
      )
      assert.match(unreadable.join('\n'), /not a JSON object/)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})

describe('SSM record encoding', () => {
  it('a small record round-trips in a standard parameter, the config gzipped', () => {
    const config = JSON.stringify({ version: 3, endpoints: [{ endpoint: '/a'.repeat(200) }] })
    const { value, tier } = encodeRecord(record(1, config))
    assert.equal(tier, 'Standard')
    assert.ok(!value.includes('/a/a/a'), 'the config is stored compressed')
    assert.deepEqual(decodeRecord(value), record(1, config))
  })

  it('a record over 4 KB goes to an advanced parameter; over 8 KB the config is left out', () => {
    const medium = randomBytes(3600).toString('base64') // ~4.8 KB, barely compressible
    const mid = encodeRecord(record(2, medium))
    assert.equal(mid.tier, 'Advanced')
    assert.ok(mid.value.length <= 8192)
    assert.equal(decodeRecord(mid.value).configText, medium)
    const large = randomBytes(7500).toString('base64')
    const big = encodeRecord(record(3, large))
    assert.equal(big.tier, 'Standard')
    assert.equal(decodeRecord(big.value).configText, undefined)
    assert.equal(decodeRecord(big.value).sha, record(3).sha)
  })

  it('decodeRecord refuses JSON that is not a record gwdeploy wrote (a parameter edited by hand)', () => {
    for (const value of [
      '{"oops": true}',
      '[]',
      'null',
      '{"time":"x","operation":"release","status":"released"}',
    ])
      assert.throws(() => decodeRecord(value), /not a (gwdeploy release record|JSON object)/, value)
    const ok = encodeRecord(record(4)).value
    assert.throws(() => decodeRecord(ok.replace('"release"', '"nonsense"')), /operation/)
  })
})
