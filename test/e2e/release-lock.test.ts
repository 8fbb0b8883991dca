import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { liveName, makeProject, type Project, sha, sleep } from '../core/helpers/project.ts'

async function waitFor(text: () => string, pattern: RegExp, ms = 30_000) {
  const end = Date.now() + ms
  while (!pattern.test(text())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}: ${text()}`)
    await sleep(25)
  }
}

describe('the release lock', () => {
  let project: Project
  before(async () => {
    project = await makeProject({ size: 1, lockTtl: '2s' })
  })
  after(async () => {
    await project?.cleanup()
  })

  it('a second release exits 3 naming the holder; --lock-wait waits; the holder releases on SIGTERM (exit 130)', async () => {
    const first = project.start(['release', '--sha', sha(1)], { GWDEPLOY_TEST_PAUSE_AT: 'verify' })
    let stderr = ''
    first.child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    await waitFor(() => stderr, /paused at verify/)

    const second = await project.run(['release', '--sha', sha(2)])
    assert.equal(second.code, 3, second.stderr)
    assert.match(second.stderr, /lock is held by .*pid \d+.*release 0101010/)

    const json = await project.json<{ error: { exitCode: number; details: { lock: { holder: string } } } }>([
      'release',
      '--sha',
      sha(2),
    ])
    assert.equal(json.code, 3)
    assert.equal(json.envelope.error.exitCode, 3)
    assert.match(json.envelope.error.details.lock.holder, new RegExp(`pid ${first.child.pid}`))
    // At 3 a.m. a rollback cannot wait for the release it undoes: the hint names the way that stops it.
    const rollback = await project.json<{ error: { exitCode: number; hint: string } }>(['rollback'])
    assert.equal(rollback.code, 3)
    assert.match(
      rollback.envelope.error.hint,
      /^Wait for it \(--lock-wait\[=DURATION\]\)\. To undo that run now, `gwdeploy abort` stops it \(traffic goes back to what served before it\); `gwdeploy rollback --force-now` stops it and also rolls back what served before it\. If that run is dead, `gwdeploy lock release --force` breaks the lock\.$/,
    )

    const status = await project.json<{ result: { lock: { holder: string; operation: string } } }>([
      'lock',
      'status',
    ])
    assert.equal(status.envelope.result.lock.operation, 'release')

    const waiting = project.start(['release', '--sha', sha(2), '--lock-wait'])
    await sleep(300)
    first.child.kill('SIGTERM')
    const firstDone = await first.done
    assert.equal(firstDone.code, 130)
    const waited = await waiting.done
    assert.equal(waited.code, 0, waited.stderr)
    assert.equal(await liveName(project.port), `e2e rev-${sha(2).slice(0, 7)}`)
  })

  it('a lock left by a killed run on this host is taken over at once (its holder pid is dead), with one warning naming it', async () => {
    const killed = project.start(['release', '--sha', sha(3)], { GWDEPLOY_TEST_KILL_AT: 'plan' })
    const killedPid = killed.child.pid
    assert.equal((await killed.done).signal, 'SIGKILL')
    const left = await project.json<{ result: { lock: { holder: string } | null } }>(['lock', 'status'])
    assert.match(left.envelope.result.lock?.holder ?? '', new RegExp(` pid ${killedPid}$`))
    const holder = left.envelope.result.lock?.holder ?? ''
    const takeover = (operation: string) =>
      new RegExp(
        `took over the release lock of ${holder.replace(/[.]/g, '\\.')} \\(${operation}\\), since \\d{4}-\\d\\d-\\d\\dT[^,]+, expires [^:]+:\\d\\d:[^:]+: its process on this host is gone \\(killed or crashed\\)`,
      )
    const after = await project.run(['release', '--sha', sha(3)])
    assert.equal(after.code, 0, after.stderr)
    assert.match(after.stderr, takeover('release 0303030'))
    assert.equal(after.stderr.match(/took over the release lock/g)?.length, 1, after.stderr)
    const free = await project.json<{ result: { lock: null } }>(['lock', 'status'])
    assert.equal(free.envelope.result.lock, null)

    // --json: the same warning, once, in the envelope's warnings.
    const killedAgain = project.start(['release', '--sha', sha(4)], { GWDEPLOY_TEST_KILL_AT: 'plan' })
    assert.equal((await killedAgain.done).signal, 'SIGKILL')
    const again = await project.json<{ warnings: string[] }>(['release', '--sha', sha(4)])
    assert.equal(again.code, 0, JSON.stringify(again.envelope))
    const warnings = again.envelope.warnings.filter((w) => w.startsWith('took over the release lock'))
    assert.equal(warnings.length, 1, JSON.stringify(again.envelope.warnings))
    assert.match(warnings[0] ?? '', new RegExp(` pid ${killedAgain.child.pid} \\(release 0404040\\), since `))
    assert.match(warnings[0] ?? '', /its process on this host is gone/)

    // A freeze (`lock acquire`) that takes a dead run's lock over says so too.
    const killedLast = project.start(['release', '--sha', sha(5)], { GWDEPLOY_TEST_KILL_AT: 'plan' })
    assert.equal((await killedLast.done).signal, 'SIGKILL')
    const frozen = await project.json<{ warnings: string[] }>(['lock', 'acquire', '-m', 'incident 7'])
    assert.equal(frozen.code, 0, JSON.stringify(frozen.envelope))
    assert.equal(frozen.envelope.warnings.length, 1, JSON.stringify(frozen.envelope.warnings))
    assert.match(
      frozen.envelope.warnings[0] ?? '',
      new RegExp(
        `^took over the release lock of \\S+ pid ${killedLast.child.pid} \\(release 0505050\\), since `,
      ),
    )
    const thawed = await project.run(['lock', 'release'])
    assert.equal(thawed.code, 0, thawed.stderr)
  })

  it('a lock held on another host blocks (exit 3) until its TTL expires', async () => {
    // The TTL's passing is written into the lock file, not waited for: a slow machine must not
    // let the first run start after the expiry.
    const writeLock = (expiresAt: number) =>
      writeFile(
        join(project.stateDir, 'lock.json'),
        JSON.stringify({
          holder: 'ci@runner-9 pid 1',
          operation: 'release',
          acquiredAt: new Date(expiresAt - 60_000).toISOString(),
          renewedAt: new Date(expiresAt - 60_000).toISOString(),
          expiresAt: new Date(expiresAt).toISOString(),
        }),
      )
    await writeLock(Date.now() + 3_600_000)
    const held = await project.run(['release', '--sha', sha(5)])
    assert.equal(held.code, 3)
    await writeLock(Date.now() - 1_000)
    const status = await project.json<{ result: { lock: { expired: boolean } } }>(['lock', 'status'])
    assert.equal(status.envelope.result.lock.expired, true)
    const after = await project.run(['release', '--sha', sha(5)])
    assert.equal(after.code, 0, after.stderr)
  })

  it('lock release refuses a live lock (exit 3) and --force breaks it', async () => {
    const expires = new Date(Date.now() + 3_600_000).toISOString()
    await writeFile(
      join(project.stateDir, 'lock.json'),
      JSON.stringify({
        holder: 'ci@runner-7 pid 4242',
        operation: 'release',
        sha: sha(9),
        acquiredAt: new Date().toISOString(),
        renewedAt: new Date().toISOString(),
        expiresAt: expires,
      }),
    )
    const refused = await project.run(['lock', 'release'])
    assert.equal(refused.code, 3)
    assert.match(refused.stderr, /ci@runner-7 pid 4242/)
    const release = await project.run(['release', '--sha', sha(4)])
    assert.equal(release.code, 3)
    assert.match(release.stderr, /ci@runner-7 pid 4242 \(release 0909090\)/)
    const forced = await project.json<{ result: { released: { holder: string } } }>([
      'lock',
      'release',
      '--force',
    ])
    assert.equal(forced.code, 0)
    assert.equal(forced.envelope.result.released.holder, 'ci@runner-7 pid 4242')
    const now = await project.run(['release', '--sha', sha(4)])
    assert.equal(now.code, 0, now.stderr)
  })
})
