import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { GithubActionsReporter } from '../../src/cli/reporters/github.ts'
import { chooseReporter } from '../../src/cli/reporters/index.ts'
import { PlainReporter } from '../../src/cli/reporters/plain.ts'
import { TtyReporter } from '../../src/cli/reporters/tty.ts'
import { silentReporter, step } from '../../src/core/events.ts'
import { tempDir } from '../helpers/files.ts'

const fixedNow = () => new Date('2026-01-02T03:04:05.000Z')

test('plain reporter: one timestamped line per event, a failure line at the end', async () => {
  const lines: string[] = []
  const reporter = new PlainReporter((line) => lines.push(line), fixedNow)
  await step(reporter, 'provision', async () =>
    reporter.emit({ type: 'progress', step: 'provision', message: '2/3 nodes' }),
  )
  reporter.emit({ type: 'weights', weights: { blue: 90, green: 10 } })
  await assert.rejects(step(reporter, 'verify', async () => Promise.reject(new Error('node 2 unhealthy'))))
  reporter.close({ message: 'node 2 unhealthy', exitCode: 4 })
  assert.deepEqual(lines, [
    '2026-01-02T03:04:05.000Z provision: running',
    '2026-01-02T03:04:05.000Z provision: 2/3 nodes',
    '2026-01-02T03:04:05.000Z provision: done (0.0s)',
    '2026-01-02T03:04:05.000Z traffic: blue 90%, green 10%',
    '2026-01-02T03:04:05.000Z verify: running',
    '2026-01-02T03:04:05.000Z verify: failed (0.0s) — node 2 unhealthy',
    '2026-01-02T03:04:05.000Z failed (exit 4)',
  ])
})

test('tty reporter redraws the step list in place', () => {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream
  let out = ''
  ;(stream as unknown as PassThrough).on('data', (chunk: Buffer) => {
    out += chunk
  })
  const reporter = new TtyReporter(stream, { env: {}, now: () => 0, tickMs: 0 })
  reporter.emit({ type: 'step', step: 'stamp', status: 'running' })
  reporter.emit({ type: 'step', step: 'stamp', status: 'done' })
  reporter.emit({ type: 'step', step: 'build', status: 'running' })
  reporter.close()
  const row = (text: string) => `${text.padEnd(75)}0.0s\n`
  assert.ok(out.includes(`\x1b[1A\x1b[J${row('✔ stamp')}`), JSON.stringify(out))
  assert.ok(out.endsWith(`\x1b[2A\x1b[J${row('✔ stamp')}${row('… build')}`), JSON.stringify(out))
})

test('github reporter writes a summary table and an error annotation', () => {
  const dir = tempDir('gwdeploy-gh-')
  const summary = join(dir, 'summary.md')
  const annotations: string[] = []
  const reporter = new GithubActionsReporter(
    silentReporter,
    summary,
    (l) => annotations.push(l),
    'gwdeploy release',
  )
  reporter.emit({ type: 'step', step: 'verify', status: 'failed' })
  reporter.emit({
    type: 'summary',
    title: 'Release',
    rows: [
      ['sha', 'db6a182'],
      ['pipe|name', 'a'],
    ],
  })
  reporter.close({ message: 'green failed\nnode 2', exitCode: 4 })
  assert.deepEqual(annotations, ['::error title=gwdeploy release failed (exit 4)::green failed%0Anode 2'])
  const markdown = readFileSync(summary, 'utf8')
  assert.match(markdown, /## gwdeploy release: failed \(exit 4\)/)
  assert.match(markdown, /\| verify \| failed \|/)
  assert.match(markdown, /\| pipe\\\|name \| a \|/)
})

test('github reporter: one ::group:: per step, step outputs in $GITHUB_OUTPUT', () => {
  const dir = tempDir('gwdeploy-gh-')
  const output = join(dir, 'output')
  const lines: string[] = []
  const inner = new PlainReporter((line) => lines.push(line.slice(25)), fixedNow)
  const reporter = new GithubActionsReporter(
    inner,
    undefined,
    (l) => lines.push(l),
    'gwdeploy release',
    output,
  )
  reporter.emit({ type: 'step', step: 'build', status: 'running' })
  reporter.emit({ type: 'progress', step: 'build', message: 'pushing' })
  reporter.emit({ type: 'step', step: 'build', status: 'done' })
  reporter.emit({
    type: 'artifact',
    sha: 'db6a1820'.repeat(5),
    configName: 'payments rev-db6a182',
    image: 'registry.example.com/payments@sha256:abc',
  })
  reporter.emit({ type: 'step', step: 'shift', status: 'running' })
  reporter.emit({ type: 'step', step: 'unlock', status: 'running' })
  reporter.emit({ type: 'step', step: 'unlock', status: 'done' })
  reporter.close({ message: 'green failed during bake', exitCode: 5 })
  assert.deepEqual(lines, [
    '::group::build',
    'build: running',
    'build: pushing',
    'build: done (0.0s)',
    '::endgroup::',
    `artifact: db6a182 "payments rev-db6a182" registry.example.com/payments@sha256:abc`,
    '::group::shift',
    'shift: running',
    '::endgroup::',
    '::group::unlock',
    'unlock: running',
    'unlock: done (0.0s)',
    '::endgroup::',
    'failed (exit 5)',
    '::error title=gwdeploy release failed (exit 5)::green failed during bake',
  ])
  assert.equal(
    readFileSync(output, 'utf8'),
    [
      `sha=${'db6a1820'.repeat(5)}`,
      'config-name=payments rev-db6a182',
      'image=registry.example.com/payments@sha256:abc',
      'outcome=rolled-back',
      'exit-code=5',
      '',
    ].join('\n'),
  )
})

test('github reporter under --json: no ::group:: lines (no progress to fold), the annotation stays', () => {
  const lines: string[] = []
  const reporter = new GithubActionsReporter(
    silentReporter,
    undefined,
    (l) => lines.push(l),
    'gwdeploy release',
  )
  reporter.emit({ type: 'step', step: 'build', status: 'running' })
  reporter.emit({ type: 'step', step: 'build', status: 'done' })
  reporter.close({ message: 'green failed', exitCode: 4 })
  assert.deepEqual(lines, ['::error title=gwdeploy release failed (exit 4)::green failed'])
})

test('github reporter: a located error points at its file and line; the summary has its problems and hint', () => {
  const dir = tempDir('gwdeploy-gh-')
  const summary = join(dir, 'summary.md')
  const lines: string[] = []
  const reporter = new GithubActionsReporter(
    silentReporter,
    summary,
    (l) => lines.push(l),
    'gwdeploy release',
  )
  reporter.close({
    message: 'gateway.json in the working tree is not what commit a322bb5 holds',
    exitCode: 2,
    location: { file: 'conf/gateway,v2.json', line: 3 },
    hint: 'Check out a322bb5 first.',
  })
  assert.deepEqual(lines, [
    '::error file=conf/gateway%2Cv2.json,line=3,title=gwdeploy release failed (exit 2)::gateway.json in the working tree is not what commit a322bb5 holds',
  ])
  reporter.close({
    message: 'gwdeploy.yml: 1 problem',
    exitCode: 2,
    problems: [
      { message: 'unknown key "servce"', location: { file: 'gwdeploy.yml', line: 5, path: 'servce' } },
    ],
    hint: 'Fix the keys above.',
  })
  const markdown = readFileSync(summary, 'utf8')
  assert.match(markdown, /\*\*What to do:\*\* Check out a322bb5 first\./)
  assert.match(
    markdown,
    /gwdeploy\.yml: 1 problem\n {2}- gwdeploy\.yml:5 \(servce\): unknown key "servce"\n```/,
  )
  assert.match(markdown, /\*\*What to do:\*\* Fix the keys above\./)
})

test('reporter choice: silent under --json, plain in CI, tty on a terminal', () => {
  const tty = { isTTY: true, write: () => true } as unknown as NodeJS.WriteStream
  assert.equal(chooseReporter({ json: true, env: {}, stderr: tty }), silentReporter)
  assert.ok(chooseReporter({ json: false, env: { CI: 'true' }, stderr: tty }) instanceof PlainReporter)
  assert.ok(chooseReporter({ json: false, env: {}, stderr: tty }) instanceof TtyReporter)
  assert.ok(chooseReporter({ json: false, env: { TERM: 'dumb' }, stderr: tty }) instanceof PlainReporter)
  assert.ok(
    chooseReporter({ json: false, env: { GITHUB_ACTIONS: 'true' }, stderr: tty }) instanceof
      GithubActionsReporter,
  )
})

test('github reporter: a run stopped before it went live says where traffic is in the summary and the outputs', () => {
  const dir = tempDir('gwdeploy-gh-')
  const summary = join(dir, 'summary.md')
  const output = join(dir, 'output')
  const reporter = new GithubActionsReporter(silentReporter, summary, () => {}, 'gwdeploy release', output)
  reporter.emit({
    type: 'reverted',
    weights: { blue: 0, green: 100 },
    routedBack: true,
    serving: [{ colour: 'green', sha: '02'.repeat(20), configName: 'e2e rev-0202020', weight: 100 }],
    idle: { colour: 'blue', sha: '03'.repeat(20), configName: 'e2e rev-0303030', kept: false },
  })
  reporter.emit({ type: 'lock', state: 'released' })
  reporter.close({ message: 'interrupted by SIGTERM', exitCode: 130 })
  const text = readFileSync(summary, 'utf8')
  assert.match(text, /### Where traffic is now/)
  assert.match(text, /\| traffic \| blue 0% \/ green 100% \|/)
  assert.match(text, /\| serving green \| 0202020 \(e2e rev-0202020\) 100% \|/)
  assert.match(text, /\| idle blue \| 0303030 \(e2e rev-0303030\) removed \|/)
  assert.match(text, /\| lock \| released \(free\) \|/)
  assert.equal(
    readFileSync(output, 'utf8'),
    [
      'weights={"blue":0,"green":100}',
      'serving-colour=green',
      `serving-sha=${'02'.repeat(20)}`,
      'outcome=interrupted',
      'exit-code=130',
      '',
    ].join('\n'),
  )
})

test('github reporter: a problem in a rendered flexible-config template annotates the file, not a line it does not have', () => {
  const lines: string[] = []
  const reporter = new GithubActionsReporter(
    silentReporter,
    undefined,
    (l) => lines.push(l),
    'gwdeploy release',
  )
  reporter.close({
    message: 'gateway.json (rendered) is not valid JSON',
    exitCode: 2,
    problems: [
      {
        message: "Unexpected token 'x'",
        location: { file: 'gateway.json (rendered)', line: 8, column: 11 },
      },
    ],
  })
  assert.deepEqual(lines, [
    '::error title=gwdeploy release failed (exit 2)::gateway.json (rendered) is not valid JSON',
    "::error file=gateway.json::gateway.json (rendered):8:11: Unexpected token 'x'",
  ])
})
