/**
 * `gwdeploy lock release --force` by an operator while a release holds the lock: the release stops
 * before its next change of traffic or infrastructure (not at its next renewal, a third of the TTL
 * later), names who broke the lock, and leaves nothing half changed.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { BIN, liveName, makeProject, type Project, sha, sleep } from '../core/helpers/project.ts'

interface Envelope {
  error?: { message: string; hint: string; exitCode: number }
  warnings: string[]
}

describe('a release whose lock is broken by `lock release --force` (local, CLI)', {
  concurrency: false,
}, () => {
  let project: Project
  const breakLock = `"${process.execPath}" "${BIN}" lock release --force`
  before(async () => {
    project = await makeProject({ size: 1, lockTtl: '10m' })
    const first = await project.run(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, first.stderr)
  })
  after(async () => {
    await project?.cleanup()
  })

  it('broken before provision (a preRelease hook breaks it): exit 3 naming who, no node started, traffic untouched', async () => {
    await project.writeConfig({ size: 1, lockTtl: '10m', hooks: { preRelease: [breakLock] } })
    const run = await project.json<Envelope>(['release', '--sha', sha(2)])
    assert.equal(run.code, 3, JSON.stringify(run.envelope))
    assert.match(
      run.envelope.error?.message ?? '',
      /the release lock was broken by \S+@\S+ pid \d+ at \S+ \(`gwdeploy lock release --force`\)/,
    )
    const fleets = [await project.fleet('blue'), await project.fleet('green')].filter(Boolean)
    assert.deepEqual(
      fleets.map((f) => f?.sha),
      [sha(1)],
      'no colour was provisioned for the release',
    )
    assert.equal(await liveName(project.port), `e2e rev-${sha(1).slice(0, 7)}`)
    const history = await project.run(['history'])
    assert.match(history.stdout, /lock {5}broken {6}0202020 by \S+ pid \d+ \(held by \S+ pid \d+, release\)/)
  })

  it('broken during a bake: the run stops within seconds (not at its renewal), traffic back on blue, exit 3', async () => {
    await project.writeConfig({
      size: 1,
      lockTtl: '10m',
      shift: { strategy: 'steps', steps: [10, 100], bake: '60s' },
    })
    const run = project.start(['release', '--sha', sha(3), '--json'])
    let stderr = ''
    run.child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    for (let i = 0; i < 600 && (await project.routes())?.colours.green?.weight !== 10; i++) await sleep(100)
    assert.equal((await project.routes())?.colours.green?.weight, 10, stderr)
    const broke = await project.run(['lock', 'release', '--force'])
    assert.equal(broke.code, 0, broke.stderr)
    const stopped = await run.done
    assert.equal(stopped.code, 3, stopped.stderr)
    const envelope = JSON.parse(stopped.stdout) as Envelope
    assert.match(envelope.error?.message ?? '', /the release lock was broken by \S+ pid \d+ at /)
    assert.equal(await liveName(project.port), `e2e rev-${sha(1).slice(0, 7)}`)
    assert.equal((await project.routes())?.colours.blue?.weight, 100)
  })
})
