/**
 * A `gwdeploy release` SIGKILLed while its preRelease hook runs (a cancelled CI job, kill -9): the
 * hook and what it started stop too, as they do on SIGINT/SIGTERM, instead of running on
 * unsupervised beside the re-run's own hook (a migration twice at once).
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { isAlive, makeProject, type Project, sha } from '../core/helpers/project.ts'

describe('kill -9 of the CLI during a hook (local, CLI)', () => {
  let project: Project
  let pids: string
  before(async () => {
    project = await makeProject({ size: 1 })
    pids = join(project.dir, 'hook-pids')
    await project.writeConfig({
      size: 1,
      // The shell ($$$$: gwdeploy.yml writes a literal $ as $$) and a child that holds none of the
      // hook's output: both must go.
      hooks: { preRelease: [`sleep 300 >/dev/null 2>&1 & echo "$$$$ $!" > ${pids}; wait`] },
    })
  })
  after(async () => {
    await project?.cleanup()
  })

  it('stops the hook and its children; the re-run releases', async () => {
    const { child, done } = project.start(['release', '--sha', sha(1)])
    for (let i = 0; i < 400 && !existsSync(pids); i++) await new Promise((r) => setTimeout(r, 25))
    const [shell, sleeper] = readFileSync(pids, 'utf8').trim().split(' ').map(Number)
    assert.ok(shell && sleeper && isAlive(shell) && isAlive(sleeper), `the hook runs: ${shell} ${sleeper}`)
    child.kill('SIGKILL')
    const killed = await done
    assert.equal(killed.signal, 'SIGKILL')
    for (let i = 0; i < 200 && (isAlive(shell) || isAlive(sleeper)); i++)
      await new Promise((r) => setTimeout(r, 25))
    assert.equal(isAlive(shell), false, 'the hook shell outlived gwdeploy')
    assert.equal(isAlive(sleeper), false, "the hook's child outlived gwdeploy")

    // Nothing of the killed run's hook is left to race the re-run's.
    await project.writeConfig({ size: 1, hooks: { preRelease: ['echo migrated'] } })
    const rerun = await project.run(['release', '--sha', sha(1)])
    assert.equal(rerun.code, 0, rerun.stderr)
    assert.match(rerun.stderr, /migrated/)
  })
})
