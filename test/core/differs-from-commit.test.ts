// `release --sha X` compares the files the stamp reads with what commit X holds, as git itself
// compares them: a checkout whose line endings git converts is the commit, an edit is not.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { execa } from 'execa'
import { differsFromCommit } from '../../src/core/git.ts'

const dirs: string[] = []
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

async function repository(files: Record<string, string>): Promise<{ dir: string; sha: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gwdeploy-differs-'))
  dirs.push(dir)
  const git = (...args: string[]) =>
    execa('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir })
  await git('init', '-q')
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  await git('add', '-A')
  await git('commit', '-qm', 'c')
  return { dir, sha: (await git('rev-parse', 'HEAD')).stdout.trim() }
}

describe('differsFromCommit', () => {
  test('a checkout with CRLF line endings git made is what the commit holds; an edit is not', async () => {
    const { dir, sha } = await repository({
      '.gitattributes': '*.json text eol=crlf\n',
      'gateway.json': '{\n  "version": 3\n}\n',
    })
    // What `git checkout` writes with eol=crlf: the blob holds LF.
    writeFileSync(join(dir, 'gateway.json'), '{\r\n  "version": 3\r\n}\r\n')
    const files = [join(dir, 'gateway.json')]
    assert.equal(await differsFromCommit({ cwd: dir, sha, files, dirs: [] }), undefined)
    writeFileSync(join(dir, 'gateway.json'), '{\r\n  "version": 3, "name": "x"\r\n}\r\n')
    assert.equal(await differsFromCommit({ cwd: dir, sha, files, dirs: [] }), 'gateway.json')
  })

  test('a file the commit lacks: named unless git ignores it', async () => {
    const { dir, sha } = await repository({ '.gitignore': 'secret.pem\n', 'gateway.json': '{}' })
    writeFileSync(join(dir, 'secret.pem'), 'x')
    writeFileSync(join(dir, 'new.lua'), 'x')
    const check = (name: string) => differsFromCommit({ cwd: dir, sha, files: [join(dir, name)], dirs: [] })
    assert.equal(await check('secret.pem'), undefined)
    assert.equal(await check('new.lua'), 'new.lua')
  })
})
