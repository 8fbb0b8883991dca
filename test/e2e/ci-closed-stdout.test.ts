/**
 * `gwdeploy ... | head -c1` in a pipeline: the reader of stdout goes away. The run keeps its own exit
 * code (it was 13, Node's "unsettled top-level await", with a warning on stderr) and a running
 * `--watch` stops instead of polling on for nobody.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { RUN_JS } from '../helpers/cli.ts'

/** Runs the CLI with stdout a pipe whose reading end is closed at once. */
function withClosedStdout(
  cwd: string,
  args: string[],
  script = RUN_JS,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd,
      env: { ...process.env, CI: 'true', NO_COLOR: '1', GITHUB_ACTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    })
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stderr }))
  })
}

describe('CI: stdout is a closed pipe', () => {
  let dir = ''
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gwd-ci-pipe-'))
    await writeFile(
      join(dir, 'gwdeploy.yml'),
      'service: pipe\ngateway:\n  config: gateway.json\nprovider:\n  kind: local\n  local:\n    listen: 127.0.0.1:1\n',
    )
    await writeFile(join(dir, 'gateway.json'), '{"version": 3, "endpoints": []}\n')
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  for (const args of [
    ['config', 'schema'],
    ['history', '--json'],
    ['config', 'show', '--json'],
    ['--help'],
  ]) {
    it(`${args.join(' ')}: exit 0, nothing on stderr`, async () => {
      const run = await withClosedStdout(dir, args)
      assert.equal(run.code, 0, run.stderr)
      assert.doesNotMatch(run.stderr, /unsettled|Warning|EPIPE/)
    })
  }

  it('bin/dev.js (the sources, no build) --help: exit 0, nothing on stderr', async () => {
    const run = await withClosedStdout(
      dir,
      ['--help'],
      fileURLToPath(new URL('../../bin/dev.js', import.meta.url)),
    )
    assert.equal(run.code, 0, run.stderr)
    assert.doesNotMatch(run.stderr, /unsettled|Warning|EPIPE/)
  })

  it('status --watch stops when nobody reads it (exit 0), as Ctrl-C ends it', async () => {
    const run = await withClosedStdout(dir, ['status', '--watch'])
    assert.equal(run.code, 0, run.stderr)
    assert.doesNotMatch(run.stderr, /unsettled|EPIPE/)
  })
})
