/**
 * Faults in state, locks, SHAs and config parsing (issue 20 items 9, 10, 11, 13, 14, 15, 18 and
 * issue 18 item 4), each on the real file system, real processes and real git.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { hostname, tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { execa } from 'execa'
import { toGwError } from '../../src/cli/base-command.ts'
import { loadConfig } from '../../src/config/load.ts'
import { parseSourceDocument } from '../../src/core/document.ts'
import { isGwError } from '../../src/core/errors.ts'
import { resolveSha } from '../../src/core/git.ts'
import { appendHistory, readHistory } from '../../src/core/history.ts'
import { acquireLock } from '../../src/core/lock.ts'
import { LocalProvider } from '../../src/providers/local/index.ts'
import { FileLock } from '../../src/providers/local/lock.ts'
import type { Lock, LockInfo } from '../../src/providers/types.ts'

let dir: string
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gwd-faults-'))
})
after(async () => {
  await rm(dir, { recursive: true, force: true })
})

const entry = (sha: string) =>
  ({ time: new Date().toISOString(), operation: 'release', status: 'released', service: 's', sha }) as const

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'])
  await new Promise((resolve) => child.on('exit', resolve))
  return child.pid as number
}

describe('state files', () => {
  it('a torn last line in history.jsonl does not swallow the next entry', async () => {
    const state = join(dir, 'history')
    await appendHistory(state, entry('a'.repeat(40)))
    const file = join(state, 'history.jsonl')
    await writeFile(file, `${await readFile(file, 'utf8')}{"time":"2026-`, { flag: 'w' })
    await appendHistory(state, entry('b'.repeat(40)))
    assert.deepEqual(
      (await readHistory(state)).map((e) => e.sha),
      ['a'.repeat(40), 'b'.repeat(40)],
    )
  })

  for (const name of ['fleet-blue.json', 'router.json']) {
    it(`a corrupt ${name} is named, exit 6 — not read as "nothing there"`, async () => {
      const state = join(dir, `corrupt-${name}`)
      await mkdir(join(state, 'local'), { recursive: true })
      await writeFile(join(state, 'local', name), '{"colour":"blue","sha":"0101')
      const provider = new LocalProvider({ listen: '127.0.0.1:1', stateDir: state, service: 's' })
      await assert.rejects(provider.inspect(), (error: unknown) => {
        assert.ok(isGwError(error))
        assert.equal(error.exitCode, 6)
        assert.match(error.message, new RegExp(`${name.replace('.', '\\.')} is corrupt`))
        return true
      })
    })
  }
})

describe('the release lock', () => {
  it('a lock held by a dead process on this host is taken over at once', async () => {
    const file = join(dir, 'dead-lock.json')
    const holder = `${userInfo().username}@${hostname()} pid ${await deadPid()}`
    const expires = new Date(Date.now() + 600_000).toISOString()
    await writeFile(file, JSON.stringify({ holder, acquiredAt: '', renewedAt: '', expiresAt: expires }))
    const attempt = await new FileLock(file).tryAcquire({ holder: 'me', operation: 'release', ttlMs: 60_000 })
    assert.equal(attempt.acquired, true)
  })

  it('a live holder on this host keeps its lock', async () => {
    const file = join(dir, 'live-lock.json')
    const holder = `${userInfo().username}@${hostname()} pid ${process.pid}`
    const expires = new Date(Date.now() + 600_000).toISOString()
    await writeFile(file, JSON.stringify({ holder, acquiredAt: '', renewedAt: '', expiresAt: expires }))
    const attempt = await new FileLock(file).tryAcquire({ holder: 'me', operation: 'release', ttlMs: 60_000 })
    assert.equal(attempt.acquired, false)
  })

  it('a lock lost while held aborts the work under it (exit 3)', async () => {
    const file = join(dir, 'lost-lock.json')
    const held = await acquireLock(
      new FileLock(file),
      { holder: 'me', operation: 'release', ttlMs: 1_000 },
      { waitMs: 0 },
    )
    await writeFile(
      file,
      JSON.stringify({ holder: 'someone else', acquiredAt: 'x', renewedAt: '', expiresAt: '' }),
    )
    await new Promise<void>((resolve) => held.lost.addEventListener('abort', () => resolve(), { once: true }))
    assert.ok(isGwError(held.lost.reason))
    assert.equal(held.lost.reason.exitCode, 3)
    await held.release()
  })
})

/** A lock store whose renewals take `renewMs` and fail as `fail(n)` says (n counts renewals from 1). */
function slowLock(options: { renewMs: number; ttlMs: number; fail?: (n: number) => boolean }) {
  let inFlight = 0
  let mostInFlight = 0
  let renewals = 0
  let expiresAt = Date.now() + options.ttlMs
  const info = (): LockInfo => ({
    holder: 'me',
    acquiredAt: new Date().toISOString(),
    renewedAt: new Date().toISOString(),
    expiresAt: new Date(expiresAt).toISOString(),
  })
  const lock: Lock = {
    tryAcquire: async () => ({ acquired: true, lock: info() }),
    renew: async () => {
      renewals += 1
      const n = renewals
      inFlight += 1
      mostInFlight = Math.max(mostInFlight, inFlight)
      await new Promise((r) => setTimeout(r, options.renewMs))
      inFlight -= 1
      if (options.fail?.(n)) throw new Error(`renewal ${n} timed out`)
      expiresAt = Date.now() + options.ttlMs
      return info()
    },
    release: async () => {},
    status: async () => info(),
    forceRelease: async () => null,
  }
  return {
    mostInFlight: () => mostInFlight,
    /** Holds the lock (renewed every 200 ms) until `renewals` renewals were made (bounded: 20 s). */
    async holdFor(wanted: number) {
      const held = await acquireLock(lock, { holder: 'me', operation: 'release', ttlMs: 600 }, { waitMs: 0 })
      for (let waited = 0; renewals < wanted && !held.lost.aborted && waited < 20_000; waited += 50)
        await new Promise((r) => setTimeout(r, 50))
      return held
    },
    renewals: () => renewals,
  }
}

describe('lock renewals', () => {
  it('on a slow lock store they never overlap, and the lock holds', async () => {
    const store = slowLock({ renewMs: 450, ttlMs: 3_000 })
    const held = await store.holdFor(3)
    await held.release()
    assert.equal(store.mostInFlight(), 1)
    assert.equal(held.lost.aborted, false)
  })

  it('a failed renewal of a lock still held and not expired is retried, not a lost lock', async () => {
    const store = slowLock({ renewMs: 10, ttlMs: 3_000, fail: (n) => n === 1 })
    const held = await store.holdFor(3)
    await held.release()
    assert.ok(store.renewals() >= 3, `${store.renewals()} renewals`)
    assert.equal(held.lost.aborted, false)
  })

  it('failed renewals past the expiry lose the lock (exit 3)', async () => {
    const store = slowLock({ renewMs: 10, ttlMs: 500, fail: () => true })
    const held = await store.holdFor(Number.POSITIVE_INFINITY)
    assert.ok(isGwError(held.lost.reason), 'the lock was lost')
    assert.equal(held.lost.reason.exitCode, 3)
    assert.match(held.lost.reason.message, /timed out/)
    await held.release()
  })
})

describe('--sha', () => {
  let repo: string
  let head: string
  before(async () => {
    repo = join(dir, 'repo')
    await mkdir(repo)
    const git = (...args: string[]) => execa('git', args, { cwd: repo })
    await git('init', '-q')
    await git(
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@example.invalid',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'x',
    )
    head = (await git('rev-parse', 'HEAD')).stdout.trim()
  })

  for (const bad of ['', '   ', 'abc', 'g'.repeat(40), 'a'.repeat(41), 'a'.repeat(12)]) {
    it(`--sha ${JSON.stringify(bad)} is refused (exit 2), never HEAD`, async () => {
      await assert.rejects(resolveSha({ sha: bad, allowDirty: false, cwd: repo }), (error: unknown) => {
        assert.ok(isGwError(error))
        assert.equal(error.exitCode, 2)
        return true
      })
    })
  }

  it('40 and 64 hex pass as they are; a short SHA is resolved through git', async () => {
    assert.equal((await resolveSha({ sha: 'A'.repeat(40), allowDirty: false, cwd: dir })).sha, 'a'.repeat(40))
    assert.equal((await resolveSha({ sha: 'b'.repeat(64), allowDirty: false, cwd: dir })).sha, 'b'.repeat(64))
    assert.equal((await resolveSha({ sha: head.slice(0, 9), allowDirty: false, cwd: repo })).sha, head)
  })

  it("gwdeploy's own state dir is not an uncommitted change; other files are", async () => {
    await mkdir(join(repo, '.gwdeploy'))
    await writeFile(join(repo, '.gwdeploy', 'history.jsonl'), '{}\n')
    const clean = await resolveSha({ allowDirty: false, cwd: repo, stateDir: join(repo, '.gwdeploy') })
    assert.equal(clean.sha, head)
    await writeFile(join(repo, 'new.txt'), 'x')
    await assert.rejects(
      resolveSha({ allowDirty: false, cwd: repo, stateDir: join(repo, '.gwdeploy') }),
      (error: unknown) => {
        assert.ok(isGwError(error))
        assert.match(error.message, /uncommitted changes: new\.txt$/)
        // `--sha` is no way out: a changed gateway config is refused under any commit's name (exit 2).
        assert.equal(
          error.hint,
          'Commit them and release the new commit, or use --allow-dirty (the version gets an _uncommitted_ suffix).',
        )
        return true
      },
    )
  })

  it('--allow-dirty: the _uncommitted_ hash covers untracked files by content, not the state dir', async () => {
    const stateDir = join(repo, '.gwdeploy')
    const version = async () => (await resolveSha({ allowDirty: true, cwd: repo, stateDir })).version
    await writeFile(join(repo, 'new.txt'), 'one')
    const one = await version()
    assert.match(one, new RegExp(`^${head}_uncommitted_[0-9a-f]{12}$`))
    assert.equal(await version(), one, 'the same tree gives the same suffix')
    await writeFile(join(repo, 'new.txt'), 'two')
    const two = await version()
    assert.notEqual(two, one, "an untracked file's content is part of the hash")
    await writeFile(join(stateDir, 'history.jsonl'), '{"more":1}\n')
    assert.equal(await version(), two, 'the state dir is not')
    await rm(join(repo, 'new.txt'))
  })
})

describe('config parsing', () => {
  it('a // comment in a .json gateway config is refused with its line (KrakenD refuses it too)', () => {
    const text = '{\n  "version": 3,\n  "port": 8080, // the port\n  "timeout": "3s"\n}\n'
    assert.throws(
      () => parseSourceDocument(text, 'gateway.json'),
      (error: unknown) => {
        assert.ok(isGwError(error))
        assert.equal(error.exitCode, 2)
        const problem = error.problems[0]
        assert.match(problem?.message ?? '', /comments are not allowed/)
        assert.deepEqual(problem?.location, { file: 'gateway.json', line: 3, column: 17 })
        return true
      },
    )
  })

  it('JSON problems are still located by key path', () => {
    const text =
      '{"version": 3,\n "endpoints": [\n  {"endpoint": "/a"},\n  {"endpoint": "/b",\n   "backend": []}]}'
    const doc = parseSourceDocument(text, 'g.json')
    assert.deepEqual(doc.locate(['endpoints', 1, 'backend']), {
      file: 'g.json',
      line: 5,
      column: 4,
      path: 'endpoints[1].backend',
    })
  })

  it('billion-laughs YAML is a config error (exit 2), not a crash', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
    for (let i = 0; i < 8; i++) {
      const prev = String.fromCharCode(97 + i)
      const next = String.fromCharCode(98 + i)
      lines.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(', ')}]`)
    }
    assert.throws(
      () => parseSourceDocument(lines.join('\n'), 'gwdeploy.yml'),
      (error: unknown) => isGwError(error) && error.exitCode === 2,
    )
  })

  it('teardown loads gwdeploy.yml without the release secrets; a release does not', async () => {
    const project = join(dir, 'env-project')
    await mkdir(project)
    await writeFile(
      join(project, 'gwdeploy.yml'),
      'service: demo\ngateway:\n  name: "${DEPLOY_NAME} {sha7}"\nhooks:\n  postRelease: ["curl ${SLACK_WEBHOOK_URL}"]\n',
    )
    assert.throws(
      () => loadConfig({ cwd: project, environ: {} }),
      (error: unknown) =>
        isGwError(error) && error.problems.some((p) => /DEPLOY_NAME is not set/.test(p.message)),
    )
    const loaded = loadConfig({ cwd: project, environ: {}, allowMissingEnv: true })
    assert.equal(loaded.config.service, 'demo')
    // The README's own webhook (url: ${SLACK_WEBHOOK_URL}): without its URL there is none to send to.
    await writeFile(
      join(project, 'gwdeploy.yml'),
      'service: demo\nnotify:\n  webhooks:\n    - url: ${SLACK_WEBHOOK_URL}\n      format: slack\n',
    )
    const quiet = loadConfig({ cwd: project, environ: {}, allowMissingEnv: true })
    assert.deepEqual(quiet.config.notify.webhooks, [])
  })

  it('teardown never defaults a key that says which target it is (destroy would act on another one)', async () => {
    const project = join(dir, 'env-target-project')
    await mkdir(project)
    await writeFile(
      join(project, 'gwdeploy.yml'),
      'service: ${SERVICE}\nimage:\n  repository: ${REGISTRY}/gw\nprovider:\n  kind: kubernetes\n  kubernetes:\n    namespace: ${NAMESPACE}\n    replicas: ${REPLICAS}\n',
    )
    assert.throws(
      () => loadConfig({ cwd: project, environ: {}, allowMissingEnv: true }),
      (error: unknown) => {
        assert.ok(isGwError(error))
        assert.deepEqual(
          error.problems.map((p) => [p.location?.path, p.message]),
          [
            ['service', 'environment variable SERVICE is not set'],
            ['image.repository', 'environment variable REGISTRY is not set'],
            ['provider.kubernetes.namespace', 'environment variable NAMESPACE is not set'],
          ],
        )
        return true
      },
    )
    const loaded = loadConfig({
      cwd: project,
      environ: { SERVICE: 'payments', NAMESPACE: 'prod', REGISTRY: 'registry.example.com' },
      allowMissingEnv: true,
    })
    assert.equal(loaded.config.provider.kubernetes?.namespace, 'prod')
    assert.equal(loaded.config.provider.kubernetes?.replicas, undefined, 'a release-only key falls back')
  })

  it('a full disk, a read-only state dir or a file gwdeploy may not use is exit 6, not "a bug"', () => {
    for (const code of ['ENOSPC', 'EROFS', 'EACCES', 'EPERM']) {
      const error = Object.assign(new Error(`${code}: no space left on device, write`), { code })
      assert.equal(toGwError(error)?.exitCode, 6)
    }
    const denied = Object.assign(new Error("EACCES: permission denied, open '/srv/state/lock.json'"), {
      code: 'EACCES',
    })
    assert.match(toGwError(denied)?.hint ?? '', /as a user that may read and write the file named/)
    assert.equal(toGwError(new Error('plain'))?.exitCode, 1)
  })
})
