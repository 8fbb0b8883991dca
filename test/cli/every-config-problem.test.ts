/**
 * A project with problems in both gwdeploy.yml and the gateway config: `config validate` and
 * `release` name every one of them in one run (each located, with a hint), exit 2, nothing changed.
 */
import assert from 'node:assert/strict'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/files.ts'

interface Envelope {
  status: string
  error: {
    exitCode: number
    message: string
    problems: Array<{
      message: string
      location?: { file?: string; line?: number; path?: string }
      hint?: string
    }>
  }
}

const GATEWAY = JSON.stringify(
  {
    version: 3,
    endpoints: [
      {
        endpoint: '/v1/x',
        backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/v1/{nope}' }],
      },
    ],
    extra_config: { 'auth/bogus': {} },
  },
  null,
  2,
)

function project(yml: string): string {
  const dir = tempDir('gwdeploy-every-problem-')
  writeFileSync(join(dir, 'gwdeploy.yml'), yml)
  writeFileSync(join(dir, 'gateway.json'), GATEWAY)
  return dir
}

const BOTH_BROKEN = `service: demo
fleet:
  size: 2
  sizee: 3
health:
  interval: 5q
provider:
  kind: local
  local:
    listen: 127.0.0.1:18011
`

const where = (envelope: Envelope) =>
  envelope.error.problems.map((p) => `${p.location?.file}:${p.location?.line} ${p.location?.path}`)

function assertBothFiles(envelope: Envelope, yml: string[]): void {
  assert.equal(envelope.error.exitCode, 2)
  const located = where(envelope)
  for (const path of yml)
    assert.ok(
      located.some((l) => l.startsWith('gwdeploy.yml:') && l.endsWith(` ${path}`)),
      `${path} in ${located}`,
    )
  assert.ok(
    located.some((l) => /^gateway\.json:\d+ extra_config\.auth\/bogus$/.test(l)),
    located.join('\n'),
  )
  assert.ok(
    located.some((l) => /^gateway\.json:\d+ endpoints\[0\]\.backend\[0\]\.url_pattern$/.test(l)),
    located.join('\n'),
  )
  for (const problem of envelope.error.problems) assert.ok(problem.hint, `no hint for ${problem.message}`)
  assert.match(envelope.error.message, /^gwdeploy\.yml \+ gateway\.json: \d+ problems$/)
}

test('config validate names the problems of gwdeploy.yml and of the gateway config in one run', async () => {
  const cwd = project(BOTH_BROKEN)
  const result = await runCli(['config', 'validate', '--json'], { cwd })
  assert.equal(result.exitCode, 2, result.stderr)
  assertBothFiles(JSON.parse(result.stdout) as Envelope, ['fleet.sizee', 'health.interval'])
  const plain = await runCli(['config', 'validate'], { cwd })
  assert.equal(plain.exitCode, 2)
  assert.match(plain.stderr, /gwdeploy\.yml:4:3 \(fleet\.sizee\): unknown key "sizee"/)
  assert.match(plain.stderr, /gateway\.json:\d+:\d+ \(extra_config\.auth\/bogus\)/)
})

test('release refuses before anything runs, with the same full list', async () => {
  const cwd = project(BOTH_BROKEN)
  const result = await runCli(['release', '--sha', 'ab'.repeat(20), '--json'], { cwd })
  assert.equal(result.exitCode, 2, result.stderr)
  assertBothFiles(JSON.parse(result.stdout) as Envelope, ['fleet.sizee', 'health.interval'])
  assert.ok(!existsSync(join(cwd, '.gwdeploy')), 'release created its state directory')
})

test('a fleet.env variable the nodes would miss and a gateway config problem: release names both', async () => {
  const cwd = project(`service: demo
fleet:
  size: 1
  env:
    API_KEY:
      fromEnv: GWD_EVERY_PROBLEM_UNSET
provider:
  local:
    listen: 127.0.0.1:18012
`)
  assert.equal(process.env.GWD_EVERY_PROBLEM_UNSET, undefined)
  for (const args of [
    ['config', 'validate', '--json'],
    ['release', '--sha', 'cd'.repeat(20), '--json'],
  ]) {
    const result = await runCli(args, { cwd })
    assert.equal(result.exitCode, 2, result.stderr)
    assertBothFiles(JSON.parse(result.stdout) as Envelope, ['fleet.env.API_KEY.fromEnv'])
  }
  assert.ok(!existsSync(join(cwd, '.gwdeploy')), 'release created its state directory')
})
