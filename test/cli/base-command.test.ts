import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { EXIT_CODE_TABLE } from '../../src/core/exit-codes.ts'
import { envelope, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/files.ts'

function project(yml: string): string {
  const dir = tempDir('gwdeploy-cli-')
  writeFileSync(join(dir, 'gwdeploy.yml'), yml)
  writeFileSync(join(dir, 'gateway.json'), '{"version":3,"endpoints":[]}')
  return dir
}

describe('help', () => {
  test('root --help lists every exit code', async () => {
    const result = await runCli(['--help'])
    assert.equal(result.exitCode, 0)
    assert.match(result.stdout, /EXIT CODES/)
    for (const [code, text] of EXIT_CODE_TABLE)
      assert.ok(result.stdout.includes(`${code}  ${text}`), `missing ${code}`)
    for (const topic of ['config', 'init']) assert.match(result.stdout, new RegExp(`\\b${topic}\\b`))
  })

  test('a command --help lists the exit codes and the --json flag', async () => {
    const result = await runCli(['config', 'validate', '--help'])
    assert.equal(result.exitCode, 0)
    assert.match(result.stdout, /--json/)
    assert.match(result.stdout, /EXIT CODES[\s\S]*130 {2}interrupted/)
  })
})

describe('--json envelope and exit codes', () => {
  test('success: {status: ok, result, warnings} on stdout, nothing on stderr', async () => {
    const dir = project('service: demo\n')
    const result = await runCli(['config', 'validate', '--json'], { cwd: dir })
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal(result.stderr, '')
    const body = envelope(result)
    assert.equal(body.status, 'ok')
    assert.deepEqual(body.warnings, [])
    assert.deepEqual(body.result, {
      files: ['gwdeploy.yml'],
      service: 'demo',
      provider: 'local',
      fleetSize: 2,
      gatewayConfig: 'gateway.json',
    })
  })

  test('config validate says what release would warn about, located (exit 0): an endpoint the runtime drops', async () => {
    const dir = project('service: demo\n')
    writeFileSync(
      join(dir, 'gateway.json'),
      '{\n  "version": 3,\n  "endpoints": [\n    {"endpoint": "/a", "method": "GETT", "backend": [{"host": ["http://127.0.0.1:19"], "url_pattern": "/a"}]}\n  ]\n}\n',
    )
    const result = await runCli(['config', 'validate', '--json'], { cwd: dir })
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal(result.stderr, '')
    const [warning, ...more] = envelope(result).warnings
    assert.deepEqual(more, [])
    assert.match(
      warning ?? '',
      /^gateway\.json:4:24 \(endpoints\[0\]\.method\): endpoint \/a: method "GETT" is not served/,
    )
    const human = await runCli(['config', 'validate'], { cwd: dir })
    assert.equal(human.exitCode, 0, human.stderr)
    assert.match(human.stderr, /warning: gateway\.json:4:24 \(endpoints\[0\]\.method\)/)
    assert.match(human.stdout, /are valid: .* \(1 warning above\)$/m)
  })

  test("a flag value oclif rejects is one line (exit 2): 'Parsing --limit (-n): Expected an integer ...'", async () => {
    const result = await runCli(['history', '-n', 'abc', '--json'])
    assert.equal(result.exitCode, 2, result.stderr)
    assert.equal(
      envelope(result).error?.message,
      'Parsing --limit (-n): Expected an integer but received: abc',
    )
  })

  test("a flag given without its value is named with its short form: 'Flag --limit (-n) expects a value'", async () => {
    const result = await runCli(['history', '-n', '--json'])
    assert.equal(result.exitCode, 2, result.stderr)
    assert.equal(envelope(result).error?.message, 'Flag --limit (-n) expects a value')
  })

  test("a missing argument is one readable line: 'Missing required argument claims: CLAIM=VALUE ...'", async () => {
    const result = await runCli(['revoke', '--json'])
    assert.equal(result.exitCode, 2, result.stderr)
    assert.equal(
      envelope(result).error?.message,
      'Missing required argument claims: CLAIM=VALUE, one or more (e.g. jti=4f1c9e2a).',
    )
  })

  test('a usage error keeps exit 2 under --json', async () => {
    const result = await runCli(['config', 'validate', '--no-such-flag', '--json'])
    assert.equal(result.exitCode, 2)
    const body = envelope(result)
    assert.equal(body.status, 'error')
    assert.equal(body.error?.exitCode, 2)
    assert.match(body.error?.message ?? '', /no-such-flag/)
  })

  test('a missing gwdeploy.yml says how to fix it', async () => {
    const dir = tempDir('gwdeploy-empty-')
    const result = await runCli(['config', 'validate'], { cwd: dir })
    assert.equal(result.exitCode, 2)
    assert.match(result.stderr, /no gwdeploy\.yml in .*\nhint: Run `gwdeploy init`/)
  })

  test('DEBUG=gwdeploy* adds the stack trace', async () => {
    const dir = project('service: demo\nfleet:\n  size: 0\n')
    const result = await runCli(['config', 'validate'], { cwd: dir, env: { DEBUG: 'gwdeploy*' } })
    assert.equal(result.exitCode, 2)
    assert.match(result.stderr, /\n\s+at .+\.(ts|js):\d+:\d+/)
  })
})

describe('config show and schema', () => {
  test('show prints the resolved config with secrets redacted', async () => {
    const dir = project('service: demo\nhooks:\n  postRelease: ["notify ${SLACK_TOKEN}"]\n')
    const result = await runCli(['config', 'show', '--json'], {
      cwd: dir,
      env: { SLACK_TOKEN: 's3cr3t-value' },
    })
    assert.equal(result.exitCode, 0, result.stderr)
    assert.ok(!result.stdout.includes('s3cr3t-value'), 'secret leaked into output')
    const config = envelope(result).result as {
      hooks: { postRelease: string[] }
      health: { interval: number }
    }
    // Hooks keep their template (expanded only when they run): the variable's name, never its value.
    assert.deepEqual(config.hooks.postRelease, ['notify ${SLACK_TOKEN}'])
    assert.equal(config.health.interval, 1000)
  })

  test('schema prints the JSON Schema that is committed in the repo', async () => {
    const result = await runCli(['config', 'schema'])
    assert.equal(result.exitCode, 0)
    const committed = JSON.parse(
      readFileSync(new URL('../../schema/gwdeploy.schema.json', import.meta.url), 'utf8'),
    )
    assert.deepEqual(JSON.parse(result.stdout), committed)
  })
})

describe('GitHub Actions', () => {
  test('a failure writes ::error:: and a Markdown step summary', async () => {
    const dir = project('service: demo\nfleet:\n  size: 0\n')
    const summary = join(dir, 'summary.md')
    writeFileSync(summary, '')
    const result = await runCli(['config', 'validate'], {
      cwd: dir,
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
    })
    assert.equal(result.exitCode, 2)
    assert.match(
      result.stderr,
      /^::error title=gwdeploy config validate failed \(exit 2\)::gwdeploy\.yml: 1 problem$/m,
    )
    const markdown = readFileSync(summary, 'utf8')
    assert.match(markdown, /^## gwdeploy config validate: failed \(exit 2\)$/m)
  })
})

test('GitHub Actions: each located problem becomes a file/line annotation', async () => {
  const dir = project('service: demo\nfleet:\n  size: 0\n')
  const result = await runCli(['config', 'validate'], { cwd: dir, env: { GITHUB_ACTIONS: 'true' } })
  assert.equal(result.exitCode, 2)
  assert.match(result.stderr, /^::error file=gwdeploy\.yml,line=3,col=3::fleet\.size: must be >= 1$/m)
})
