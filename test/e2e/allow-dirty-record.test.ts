/** `release --allow-dirty` records the `_uncommitted_<hash>` version on the target and in history. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
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
})
