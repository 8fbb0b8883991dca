/**
 * A stop (SIGINT/SIGTERM, the lock lost) during a hook ends the whole hook: the shell and what it
 * started. Before, only the shell was killed and its children ran on (holding its output open, so
 * the stop waited for them; a background child survived gwdeploy).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
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
  const pid = await pidWritten(pidFile, 200)
  assert.ok(pid > 0 && isAlive(pid), 'the hook started its child')
  controller.abort(interruptedError('SIGTERM'))
  await assert.rejects(running, /interrupted by SIGTERM/)
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 20))
  assert.equal(isAlive(pid), false, "the hook's child was stopped with it")
})

/**
 * The lifeline's watcher outlives a hook that replaced its EXIT trap or its shell (exec) until
 * gwdeploy closes the pipe: it must then end alone, not stop what the finished hook left running
 * in the background, as it never does for a plain hook.
 */
for (const [what, command] of [
  [
    'its own EXIT trap',
    (out: string) => `trap 'true' EXIT; sleep 60 >/dev/null 2>&1 & echo "$! $_gwdeploy_watcher" > ${out}`,
  ],
  [
    'exec',
    (out: string) =>
      `export _w=$_gwdeploy_watcher; exec sh -c 'sleep 60 >/dev/null 2>&1 & echo "$! $_w" > ${out}'`,
  ],
] as const) {
  test(`a hook with ${what} that ends normally: the watcher ends and leaves the hook's background child running`, async () => {
    const dir = tempDir('gwd-hook-done-')
    const out = join(dir, 'pids')
    const values = {
      sha: 'a'.repeat(40),
      colour: 'blue',
      previousSha: undefined,
      service: 's',
      env: undefined,
    }
    await runHooks('preRelease', [command(out)], values, { cwd: dir })
    const [child, watcher] = readFileSync(out, 'utf8').trim().split(' ').map(Number) as [number, number]
    try {
      assert.ok(child > 0 && watcher > 0, readFileSync(out, 'utf8'))
      for (let i = 0; i < 250 && isAlive(watcher); i++) await new Promise((r) => setTimeout(r, 20))
      assert.equal(isAlive(watcher), false, 'no watcher is left once the hook is done')
      // A group stop reaches the child a moment after the watcher: it must stay up past that.
      for (let i = 0; i < 10; i++) {
        assert.equal(isAlive(child), true, "the finished hook's background child was stopped")
        await new Promise((r) => setTimeout(r, 20))
      }
    } finally {
      if (isAlive(child)) process.kill(child, 'SIGKILL')
    }
  })
}

// Guards the condition above: while the hook's process runs (after an exec it is the same pid),
// gwdeploy's death still stops it. Passes on the code before too; it must keep passing.
test('gwdeploy killed with -9 while a hook that exec-ed runs: the hook stops', async () => {
  const dir = tempDir('gwd-hook-exec-kill-')
  const out = join(dir, 'pid')
  const gwdeploy = gwdeployRunning(dir, `echo $$$$ > ${out}; exec sleep 60`)
  const hook = await pidWritten(out, 400)
  try {
    for (let i = 0; i < 200 && !/sleep/.test(commandOf(hook)); i++)
      await new Promise((r) => setTimeout(r, 10))
    assert.match(commandOf(hook), /sleep 60/, 'the hook replaced its shell')
    gwdeploy.kill('SIGKILL')
    for (let i = 0; i < 200 && isAlive(hook); i++) await new Promise((r) => setTimeout(r, 25))
    assert.equal(isAlive(hook), false, 'the exec-ed hook outlived gwdeploy')
  } finally {
    if (isAlive(hook)) process.kill(hook, 'SIGKILL')
  }
})

// A hook that ignores SIGTERM (its own `trap '' TERM`, which its children inherit) is killed 5 s on,
// by a stop and by the lifeline when gwdeploy dies; the lifeline's TERM also ended its own watcher.
const STUBBORN = (out: string) => `trap '' TERM INT; sleep 347 & echo $! > ${out}; sleep 348`

test('a stop during a hook that ignores SIGTERM kills it after the grace', async () => {
  const dir = tempDir('gwd-hook-stubborn-')
  const out = join(dir, 'pid')
  const controller = new AbortController()
  const values = { sha: 'a'.repeat(40), colour: 'blue', previousSha: undefined, service: 's', env: undefined }
  const running = runHooks('preRelease', [STUBBORN(out)], values, { cwd: dir, signal: controller.signal })
  const child = await pidWritten(out, 200)
  try {
    assert.ok(child > 0 && isAlive(child), 'the hook started its child')
    controller.abort(interruptedError('SIGTERM'))
    await assert.rejects(running, /interrupted by SIGTERM/)
    for (let i = 0; i < 100 && isAlive(child); i++) await new Promise((r) => setTimeout(r, 20))
    assert.equal(isAlive(child), false, "the hook's child ignoring SIGTERM was killed")
  } finally {
    if (isAlive(child)) process.kill(child, 'SIGKILL')
  }
})

test('gwdeploy killed with -9 while a hook that ignores SIGTERM runs: the hook is killed after the grace', async () => {
  const dir = tempDir('gwd-hook-stubborn-kill-')
  const out = join(dir, 'pid')
  const gwdeploy = gwdeployRunning(dir, STUBBORN(out))
  const child = await pidWritten(out, 400)
  try {
    assert.ok(child > 0 && isAlive(child), 'the hook started its child')
    gwdeploy.kill('SIGKILL')
    for (let i = 0; i < 400 && isAlive(child); i++) await new Promise((r) => setTimeout(r, 25))
    assert.equal(isAlive(child), false, "the hook's child ignoring SIGTERM outlived gwdeploy")
  } finally {
    if (isAlive(child)) process.kill(child, 'SIGKILL')
  }
})

/** A gwdeploy process (a script in `dir`) running `command` as its preRelease hook, to be killed. */
function gwdeployRunning(dir: string, command: string) {
  const script = join(dir, 'run.ts')
  writeFileSync(
    script,
    `import { runHooks } from ${JSON.stringify(join(import.meta.dirname, '../../src/core/hooks.ts'))}
await runHooks('preRelease', [${JSON.stringify(command)}], { sha: 'a'.repeat(40), colour: 'blue', previousSha: undefined, service: 's', env: undefined }, { cwd: ${JSON.stringify(dir)} })
`,
  )
  return spawn(process.execPath, [script], { stdio: 'ignore' })
}

/**
 * The pid a hook's shell wrote to `file` (`echo ... > file`): the shell creates the file before it
 * writes, so a reader that only waits for the file can read it empty on a loaded machine.
 */
async function pidWritten(file: string, tries: number): Promise<number> {
  for (let i = 0; i < tries; i++) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
    if (text.endsWith('\n')) return Number(text)
    await new Promise((r) => setTimeout(r, 25))
  }
  return Number.NaN
}

const commandOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {
    return ''
  }
}
