/** `status --watch` in a CI log (stdout not a terminal): timestamped snapshots, no screen-clearing escape codes. */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { RUN_JS } from '../helpers/cli.ts'

describe('CI: status --watch piped', () => {
  let dir = ''
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gwd-ci-watch-'))
    await writeFile(
      join(dir, 'gwdeploy.yml'),
      'service: watch\ngateway:\n  config: gateway.json\nprovider:\n  kind: local\n  local:\n    listen: 127.0.0.1:1\n',
    )
    await writeFile(join(dir, 'gateway.json'), '{"version": 3, "endpoints": []}\n')
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('prints a timestamped snapshot without ANSI codes, and Ctrl-C ends it with exit 0', async () => {
    const child = spawn(process.execPath, [RUN_JS, 'status', '--watch'], {
      cwd: dir,
      env: { ...process.env, CI: 'true', NO_COLOR: '1', GITHUB_ACTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    })
    let stdout = ''
    let stderr = ''
    let signalled = false
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk
    })
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk
        // One Ctrl-C (a second one means "exit at once"), once the first snapshot has begun.
        if (!signalled && stdout.includes('\n')) {
          signalled = true
          child.kill('SIGINT')
        }
      })
      child.on('close', resolve)
    })
    assert.equal(code, 0, stderr)
    // The signal's notice is a plain timestamped line in the log too (it opened with a blank line).
    assert.match(stderr, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z SIGINT: stopping and cleaning up/m)
    assert.doesNotMatch(stderr, /^\n/)
    assert.match(stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\nwatch on local/)
    assert.ok(!stdout.includes('\u001b'), JSON.stringify(stdout))
  })
})
