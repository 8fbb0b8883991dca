/**
 * A stop (SIGINT/SIGTERM, the lock lost) during a hook ends the whole hook: the shell and what it
 * started. Before, only the shell was killed and its children ran on (holding its output open, so
 * the stop waited for them; a background child survived gwdeploy).
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { interruptedError } from '../../src/core/errors.ts'
import { runHooks } from '../../src/core/hooks.ts'
import { isAlive } from '../../src/providers/local/state.ts'
import { tempDir } from '../helpers/files.ts'

test('a stop during a hook stops the processes the hook started, and throws the stop', async () => {
  const dir = tempDir('gwd-hook-stop-')
  const pidFile = join(dir, 'pid')
  // A child that does not hold the hook's output: only a stop of the whole group ends it.
  const command = `sleep 60 >/dev/null 2>&1 & echo $! > ${pidFile}; wait`
  const controller = new AbortController()
  const values = { sha: 'a'.repeat(40), colour: 'blue', previousSha: undefined, service: 's', env: undefined }
  const running = runHooks('preRelease', [command], values, { cwd: dir, signal: controller.signal })
  for (let i = 0; i < 200 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 25))
  const pid = Number(readFileSync(pidFile, 'utf8'))
  assert.ok(pid > 0 && isAlive(pid), 'the hook started its child')
  controller.abort(interruptedError('SIGTERM'))
  await assert.rejects(running, /interrupted by SIGTERM/)
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 20))
  assert.equal(isAlive(pid), false, "the hook's child was stopped with it")
})
