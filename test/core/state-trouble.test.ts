/** Unreadable state is named, never read as "nothing there": the lock file, release records, maintenance pages. */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { isGwError } from '../../src/core/errors.ts'
import { acquireLock, holderIsDead, takesOverDeadHolder } from '../../src/core/lock.ts'
import { lockRelease } from '../../src/core/lock-commands.ts'
import { maintenancePage } from '../../src/core/maintenance.ts'
import { listRecords } from '../../src/core/records.ts'
import type { Target } from '../../src/core/target.ts'
import { DirectoryRecords } from '../../src/providers/file-records.ts'
import { FileLock } from '../../src/providers/local/lock.ts'
import type { Lock, Provider } from '../../src/providers/types.ts'

let dir: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gwd-state-'))
})
after(async () => {
  await rm(dir, { recursive: true, force: true })
})

const exitCodeOf = (fn: () => unknown): number | undefined => {
  try {
    fn()
  } catch (error) {
    return isGwError(error) ? error.exitCode : -1
  }
  return undefined
}

describe('a torn lock file', () => {
  it('is refused (exit 6) with how to clear it, and left in place', async () => {
    const file = join(dir, 'lock.json')
    await writeFile(file, '{"holder":"x')
    const error = await acquireLock(
      new FileLock(file),
      { holder: 'me@host pid 1', operation: 'release', ttlMs: 60_000 },
      { waitMs: 0 },
    ).then(
      (held) => {
        void held.release()
        return undefined
      },
      (e: unknown) => e,
    )
    assert.ok(isGwError(error), String(error))
    assert.equal(error.exitCode, 6)
    assert.match(error.message, /release lock cannot be read/)
    assert.match(error.hint ?? '', /gwdeploy lock release --force/)
    assert.equal(await readFile(file, 'utf8'), '{"holder":"x', 'the lock file is not taken over')
  })

  it('the file lock itself never takes it over, and `lock release` clears it only with --force', async () => {
    const file = join(dir, 'corrupt', 'lock.json')
    await mkdir(join(dir, 'corrupt'), { recursive: true })
    await writeFile(file, 'not json')
    const lock = new FileLock(file)
    const attempt = await lock.tryAcquire({ holder: 'me@host pid 1', operation: 'release', ttlMs: 60_000 })
    assert.equal(attempt.acquired, false)
    assert.match(attempt.lock.unreadable ?? '', /corrupt\/lock\.json: /)
    const target = { provider: { id: 'local', lock: () => lock } } as unknown as Target
    await assert.rejects(lockRelease(target, false), { exitCode: 6 })
    assert.equal(await readFile(file, 'utf8'), 'not json')
    await lockRelease(target, true)
    assert.equal(
      (await lock.tryAcquire({ holder: 'me@host pid 1', operation: 'release', ttlMs: 60_000 })).acquired,
      true,
    )
  })

  it('a holder on this host whose process is gone is dead; only file locks take it over by themselves', () => {
    const gone = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    })
    const host = (execFileSync('hostname', { encoding: 'utf8' }) as string).trim()
    const lock = { holder: `me@${host} pid ${gone}`, acquiredAt: '', renewedAt: '', expiresAt: '' }
    assert.equal(holderIsDead(lock), true)
    assert.equal(holderIsDead({ ...lock, holder: `me@${host} pid ${process.pid}` }), false)
    assert.equal(takesOverDeadHolder('local'), true)
    assert.equal(takesOverDeadHolder('kubernetes'), false)
  })

  it('a shared lock held by a dead holder: exit 3 saying so, naming the command (with -e) that takes it over', async () => {
    const gone = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    })
    const host = (execFileSync('hostname', { encoding: 'utf8' }) as string).trim()
    const held = {
      holder: `me@${host} pid ${gone}`,
      operation: 'release',
      acquiredAt: new Date().toISOString(),
      renewedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    }
    // A Lease-like lock: it does not take a dead holder over by itself.
    const shared = { tryAcquire: async () => ({ acquired: false, lock: held }) } as unknown as Lock
    await assert.rejects(
      acquireLock(shared, { holder: 'me', operation: 'release', ttlMs: 60_000 }, { waitMs: 0, env: 'prod' }),
      (error: unknown) =>
        isGwError(error) &&
        error.exitCode === 3 &&
        /held by a run whose process on this host is gone/.test(error.message) &&
        /`gwdeploy lock release --force -e prod` takes it over, then re-run/.test(error.hint ?? ''),
    )
    // --lock-wait: the wait says it lasts until the dead holder's lock expires, and what ends it now.
    const progress: string[] = []
    await assert.rejects(
      acquireLock(
        shared,
        { holder: 'me', operation: 'release', ttlMs: 60_000 },
        {
          waitMs: 100,
          emit: (event) => {
            if (event.type === 'progress') progress.push(event.message)
          },
        },
      ),
      { exitCode: 3 },
    )
    assert.match(
      progress.join('\n'),
      /its process on this host is gone, so the wait ends when the lock expires \(`gwdeploy lock release --force` takes it over now\)/,
    )
  })
})

describe('a lock taken over', () => {
  it('warns once naming the holder it replaced: an expired lock of another host (file lock, or a shared one)', async () => {
    const file = join(dir, 'expired-lock.json')
    const expired = {
      holder: 'ci@runner-3 pid 4242',
      sha: '0707070707070707070707070707070707070707',
      operation: 'rollback',
      acquiredAt: '2026-01-01T00:00:00.000Z',
      renewedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-01T00:05:00.000Z',
    }
    await writeFile(file, JSON.stringify(expired))
    const warnings: string[] = []
    const emit = (event: { type: string; message?: string }) => {
      if (event.type === 'warn') warnings.push(event.message ?? '')
    }
    const held = await acquireLock(
      new FileLock(file),
      { holder: 'me', operation: 'release', ttlMs: 60_000 },
      {
        waitMs: 0,
        emit,
      },
    )
    await held.release()
    const words =
      'took over the release lock of ci@runner-3 pid 4242 (rollback 0707070), since 2026-01-01T00:00:00.000Z, expires 2026-01-01T00:05:00.000Z: it expired without being renewed. That run did not finish; `gwdeploy status` shows where it left the target.'
    assert.deepEqual(warnings, [words])

    // A shared store (Lease, ALB rule) reports what it replaced the same way: the same words.
    const shared = {
      tryAcquire: async () => ({ acquired: true, lock: { ...expired, holder: 'me' }, tookOver: expired }),
      status: async () => null,
      release: async () => {},
    } as unknown as Lock
    warnings.length = 0
    const second = await acquireLock(
      shared,
      { holder: 'me', operation: 'release', ttlMs: 60_000 },
      { waitMs: 0, emit },
    )
    await second.release()
    assert.deepEqual(warnings, [words])

    // Nothing taken over (no lock there): no warning.
    warnings.length = 0
    const free = await acquireLock(
      new FileLock(join(dir, 'free-lock.json')),
      { holder: 'me', operation: 'release', ttlMs: 60_000 },
      {
        waitMs: 0,
        emit,
      },
    )
    await free.release()
    assert.deepEqual(warnings, [])
  })
})

describe('a corrupt release record', () => {
  it('is named in a warning; the others still list', async () => {
    const records = join(dir, 'records')
    await mkdir(records, { recursive: true })
    const good = { time: '2026-01-01T00:00:00.000Z', operation: 'release', status: 'released', service: 's' }
    await writeFile(join(records, '2026-01-01T000000000Z-release-aaaaaaa-0001.json'), JSON.stringify(good))
    await writeFile(join(records, '2026-01-02T000000000Z-rollback-bbbbbbb-0002.json'), '{"torn')
    const store = new DirectoryRecords(records)
    const provider = { records: () => store } as unknown as Provider
    const warnings: string[] = []
    const listed = await listRecords({ provider, stateDir: dir }, 10, (m) => warnings.push(m))
    assert.equal(listed.length, 1)
    assert.equal(warnings.length, 1)
    assert.match(warnings[0] ?? '', /2026-01-02T000000000Z-rollback-bbbbbbb-0002\.json cannot be read/)
  })
})

describe('maintenance --page', () => {
  it('refuses a directory, a device, a FIFO and a binary file with exit 2, without reading them', async () => {
    assert.equal(
      exitCodeOf(() => maintenancePage({ file: dir })),
      2,
    )
    assert.equal(
      exitCodeOf(() => maintenancePage({ file: '/dev/zero' })),
      2,
    )
    const fifo = join(dir, 'page.fifo')
    execFileSync('mkfifo', [fifo])
    assert.equal(
      exitCodeOf(() => maintenancePage({ file: fifo })),
      2,
    )
    const binary = join(dir, 'binary.html')
    await writeFile(binary, Buffer.from([0x3c, 0x70, 0x3e, 0x00, 0xff, 0x3c]))
    assert.equal(
      exitCodeOf(() => maintenancePage({ file: binary })),
      2,
    )
    const text = join(dir, 'page.html')
    await writeFile(text, '<p>back soon</p>\n')
    assert.equal(maintenancePage({ file: text }).body, '<p>back soon</p>\n')
  })
})
