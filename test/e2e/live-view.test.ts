/**
 * The progress a person or a CI job sees from a real release (local provider): on a terminal
 * (a pty from util-linux `script`) the live view with elapsed times, the split bar and the bake;
 * in GitHub Actions the ::group:: sections and $GITHUB_OUTPUT.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { BIN, makeProject, type Project, sha } from '../core/helpers/project.ts'

/** Runs the CLI with stderr on a pty of `columns` columns (stdout, the result, to /dev/null); resolves with what the terminal received. */
function onTerminal(project: Project, args: string[], env: NodeJS.ProcessEnv, columns: number) {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\\\''")}'`).join(' ')
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(
      'script',
      ['-qfec', `stty cols ${columns} rows 50; exec ${command} >/dev/null`, '/dev/null'],
      {
        cwd: project.dir,
        env: { ...process.env, CI: '', GITHUB_ACTIONS: '', TERM: 'xterm-256color', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.on('close', (code) => resolve({ code, out }))
  })
}

const ESC = String.fromCharCode(27)
const stripAnsi = (text: string) => text.replace(new RegExp(`${ESC}\\[[0-9;]*[A-Za-z]`, 'g'), '')

describe('what a release shows', { concurrency: false }, () => {
  let project: Project
  before(async () => {
    project = await makeProject({ size: 1, shift: { strategy: 'steps', steps: [50, 100], bake: '1500ms' } })
  })
  after(async () => {
    await project?.cleanup()
  })

  it('on a terminal: steps with elapsed times, the split bar, the bake countdown, node health; no colour with NO_COLOR', async () => {
    const first = await onTerminal(project, ['release', '--sha', sha(1)], { NO_COLOR: '1' }, 70)
    assert.equal(first.code, 0, first.out)
    assert.doesNotMatch(first.out, new RegExp(`${ESC}\\[3[0-9]m`), 'no colour under NO_COLOR')
    const second = await onTerminal(project, ['release', '--sha', sha(2)], { FORCE_COLOR: '1' }, 70)
    assert.equal(second.code, 0, second.out)
    assert.match(second.out, new RegExp(`${ESC}\\[32m✔${ESC}\\[0m verify`), 'a green tick with colour')
    const text = stripAnsi(second.out)
    assert.match(text, /^✔ verify .* \d+\.\ds\r?$/m)
    assert.match(text, /^ {2}traffic blue █+ green 50% \/ 50%/m)
    assert.match(text, /^ {2}bake green: 0:0[12] left of 0:02/m)
    assert.match(text, /^ {2}nodes ● green-\S+ healthy/m)
    // The view's lines are redrawn in place, so they must never wrap (notes above them may).
    const view = text.split(/\r?\n/).filter((line) => /^(✔|…|–|✖| {2})/.test(line))
    assert.ok(view.length > 20)
    for (const line of view) assert.ok([...line].length <= 69, `wider than the terminal: ${line}`)
  })

  it('in GitHub Actions: one ::group:: per step and the outputs of the release', async () => {
    const output = join(project.dir, 'github-output')
    const summary = join(project.dir, 'github-summary.md')
    const result = await project.run(['release', '--sha', sha(3)], {
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
    })
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /^::group::verify\n(?:.*\n)*?.*verify: done \(\d+\.\ds\)\n::endgroup::$/m)
    const outputs = Object.fromEntries(
      (await readFile(output, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    )
    assert.deepEqual(outputs, {
      sha: sha(3),
      'config-name': `e2e rev-${sha(3).slice(0, 7)}`,
      outcome: 'success',
      'exit-code': '0',
    })
  })
})
