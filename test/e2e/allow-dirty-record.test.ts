/**
 * `release --allow-dirty` records the `_uncommitted_<hash>` version on the target and in history, and
 * a tree that differs from the live one's is another release, not "already live".
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { parse, stringify } from 'yaml'
import { makeProject, type Project } from '../core/helpers/project.ts'

const git = (cwd: string, ...args: string[]) =>
  promisify(execFile)('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd })

describe('release --allow-dirty records its version suffix', () => {
  let project: Project
  let head: string
  before(async () => {
    project = await makeProject({ size: 1 })
    await git(project.dir, 'init', '-q')
    await git(project.dir, 'add', 'gwdeploy.yml', 'gateway.json')
    await git(project.dir, 'commit', '-qm', 'init')
    head = (await git(project.dir, 'rev-parse', 'HEAD')).stdout.trim()
    await writeFile(join(project.dir, 'notes.txt'), 'untracked')
  })
  after(async () => {
    await project?.cleanup()
  })

  it('a dirty tree is refused without the flag, released with it, and the suffix is recorded', async () => {
    const refused = await project.run(['release'])
    assert.equal(refused.code, 2, refused.stderr)
    const released = await project.run(['release', '--allow-dirty'])
    assert.equal(released.code, 0, released.stderr)
    const { envelope } = await project.json<{ result: Array<{ sha: string; version: string }> }>(['history'])
    assert.equal(envelope.result[0]?.sha, head)
    assert.match(envelope.result[0]?.version ?? '', new RegExp(`^${head}_uncommitted_[0-9a-f]{12}$`))
    const records = join(project.stateDir, 'records')
    const [file] = await readdir(records)
    const record = JSON.parse(await readFile(join(records, file as string), 'utf8'))
    assert.equal(record.version, envelope.result[0]?.version)
  })

  it('from a tree that differs from the live one (same SHA, same gateway config) it releases that tree; from the same tree it is already live', async () => {
    const file = join(project.dir, 'gwdeploy.yml')
    const setFoo = async (value: string) => {
      const config = parse(await readFile(file, 'utf8'))
      config.fleet.env = { FOO: value }
      await writeFile(file, stringify(config))
    }
    const fooOf = async (colour: string) => {
      const fleet = await project.fleet(colour)
      const pid = fleet?.nodes[0]?.pid
      const environ = await readFile(`/proc/${pid}/environ`, 'utf8')
      return environ.split('\0').find((v) => v.startsWith('FOO='))
    }
    const live = async () => {
      const routes = await project.routes()
      return Object.entries(routes?.colours ?? {}).find(([, r]) => r.weight === 100)?.[0]
    }
    const newest = async () =>
      (await project.json<{ result: Array<{ version: string; status: string }> }>(['history'])).envelope
        .result[0]

    await setFoo('one')
    const first = await project.run(['release', '--allow-dirty'])
    assert.equal(first.code, 0, first.stderr)
    const firstColour = await live()
    assert.equal(await fooOf(firstColour as string), 'FOO=one')
    const firstVersion = (await newest())?.version

    const again = await project.run(['release', '--allow-dirty'])
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /is already live on .*: nothing to do/)
    assert.equal(await live(), firstColour)

    // The working tree changed (fleet.env only: the gateway config and its digest are the same).
    await setFoo('two')
    const second = await project.run(['release', '--allow-dirty'])
    assert.equal(second.code, 0, second.stderr)
    assert.doesNotMatch(second.stdout, /already live/)
    assert.match(
      second.stderr,
      /this working tree is [0-9a-f]{40}_uncommitted_[0-9a-f]{12}: it is another release/,
    )
    const secondColour = await live()
    assert.notEqual(secondColour, firstColour)
    assert.equal(await fooOf(secondColour as string), 'FOO=two')
    const recorded = await newest()
    assert.equal(recorded?.status, 'released')
    assert.notEqual(recorded?.version, firstVersion)
    assert.match(recorded?.version ?? '', new RegExp(`^${head}_uncommitted_[0-9a-f]{12}$`))

    // Both colours run the SHA (two trees of it), the serving one on either colour: `rollback --to`
    // it finds it served already, and moves no traffic onto the other tree (it took blue's).
    await setFoo('three')
    const third = await project.run(['release', '--allow-dirty'])
    assert.equal(third.code, 0, third.stderr)
    const thirdColour = await live()
    assert.equal(thirdColour, firstColour)
    const to = await project.run(['rollback', '--to', head])
    assert.equal(await live(), thirdColour, `${to.stdout}${to.stderr}`)
    assert.equal(await fooOf(thirdColour as string), 'FOO=three')
    assert.equal(to.code, 0, to.stderr)
    assert.match(to.stdout, /is already live on .*: nothing to do/)
  })
})
