/** The CLI's manners: `help <command>`, `-h`, a suggestion for a mistyped command (exit 2), all without heavy imports. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { distance } from 'fastest-levenshtein'
import { closestCommand } from '../../src/cli/suggest-command.ts'
import { envelope, RUN_JS, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/files.ts'

const RECORDER = fileURLToPath(new URL('../helpers/record-imports.mjs', import.meta.url))

describe('help and mistyped commands', () => {
  it('`help status` and `status -h` print the command help with the exit codes', async () => {
    for (const args of [
      ['help', 'status'],
      ['status', '-h'],
    ]) {
      const result = await runCli(args)
      assert.equal(result.exitCode, 0, result.stderr)
      assert.match(result.stdout, /USAGE\n {2}\$ gwdeploy status/)
      // Piped: no hard wrapping mid-sentence.
      assert.match(
        result.stdout,
        /--wait-for=<option> +Wait until: live \(.*\) or preview \(.*\)\. Exit 0 when reached, 6 at once when nothing is served .* 7 at --timeout\.\n/,
      )
      assert.match(result.stdout, /EXIT CODES\n[\s\S]*7 {2}`status --wait-for`/)
    }
  })

  it('`help lock acquire` shows a topic command; `help` alone the root help', async () => {
    const topic = await runCli(['help', 'lock', 'acquire'])
    assert.equal(topic.exitCode, 0, topic.stderr)
    assert.match(topic.stdout, /\$ gwdeploy lock acquire -m <value>/)
    const root = await runCli(['help'])
    assert.equal(root.exitCode, 0, root.stderr)
    assert.match(root.stdout, /COMMANDS[\s\S]*logs /)
  })

  it('a mistyped command or topic command gets the closest one, on one line, exit 2', async () => {
    for (const [typed, meant] of [
      [['stauts'], 'status'],
      [['lock', 'aquire'], 'lock acquire'],
      [['help', 'relase'], 'release'],
    ] as const) {
      const result = await runCli([...typed])
      assert.equal(result.exitCode, 2, result.stderr)
      assert.equal(
        result.stderr,
        `Error: "${typed.filter((w) => w !== 'help').join(' ')}" is not a gwdeploy command. Did you mean "gwdeploy ${meant}"?\nhint: See \`gwdeploy help\` for every command.\n`,
      )
    }
    const far = await runCli(['xyzzyqq'])
    assert.equal(far.exitCode, 2)
    assert.doesNotMatch(far.stderr, /Did you mean/)
  })

  it('a topic command given an argument it does not take names it and the flag that takes it, exit 2', async () => {
    const file = await runCli(['gateway', 'check', 'gateway.json'])
    assert.equal(file.exitCode, 2, file.stderr)
    assert.equal(
      file.stderr,
      'Error: "gwdeploy gateway check" takes no argument "gateway.json".\nhint: Name the file with --config: `gwdeploy gateway check -c gateway.json`.\n',
    )
    const other = await runCli(['lock', 'acquire', 'now'])
    assert.equal(other.exitCode, 2, other.stderr)
    assert.equal(
      other.stderr,
      'Error: "gwdeploy lock acquire" takes no argument "now".\nhint: See `gwdeploy lock acquire --help`.\n',
    )
  })

  it('a flag before the command (`gwdeploy -e production status`) says flags go after it, exit 2', async () => {
    const result = await runCli(['-e', 'production', 'status'])
    assert.equal(result.exitCode, 2, result.stderr)
    assert.equal(
      result.stderr,
      'Error: "-e" is not a gwdeploy command.\nhint: Flags go after the command: `gwdeploy status -e ...`. See `gwdeploy help` for every command.\n',
    )
  })

  it('the suggestion needs a typo, not a different word', () => {
    const known = ['status', 'release', 'rollback', 'lock acquire', 'lock release']
    assert.equal(closestCommand('rolback', known, distance), 'rollback')
    assert.equal(closestCommand('deploy', known, distance), undefined)
  })

  it('a mistyped command loads no SDK, docker client or gateway code', () => {
    const file = join(tempDir('gwdeploy-imports-'), 'imports.txt')
    writeFileSync(file, '')
    const result = spawnSync(process.execPath, ['--import', RECORDER, RUN_JS, 'stauts'], {
      env: { ...process.env, GWDEPLOY_IMPORTS_FILE: file },
      encoding: 'utf8',
    })
    assert.equal(result.status, 2, result.stderr)
    const imports = readFileSync(file, 'utf8').split('\n').filter(Boolean)
    assert.ok(
      imports.some((url) => url.includes('command-not-found')),
      'the hook was not loaded',
    )
    const heavy = imports.filter((url) =>
      /node_modules\/(dockerode|undici|@aws-sdk|@kubernetes|esbuild|execa)\/|\/(dist|src)\/(gateway|providers|image)\//.test(
        url,
      ),
    )
    assert.deepEqual(heavy, [])
  })

  it('help asked for with --json is one envelope on stdout (the help text in result.help), exit 0', async () => {
    for (const args of [
      ['status', '--help', '--json'],
      ['release', '--json', '-h'],
      ['help', 'lock', 'acquire', '--json'],
      ['lock', '--json'],
      ['--json', '--help'],
    ]) {
      const result = await runCli(args)
      assert.equal(result.exitCode, 0, result.stderr)
      const parsed = envelope(result)
      assert.equal(parsed.status, 'ok', args.join(' '))
      assert.deepEqual(parsed.warnings, [])
      assert.match((parsed.result as { help: string }).help, /USAGE\n {2}\$ gwdeploy/, args.join(' '))
    }
  })

  it('an unknown command under --json is an error envelope wherever --json is (exit 2)', async () => {
    for (const args of [['--json'], ['help', '--json', 'nosuch']]) {
      const result = await runCli(args)
      assert.equal(result.exitCode, 2, result.stderr)
      const parsed = envelope(result)
      assert.equal(parsed.status, 'error')
      assert.equal(parsed.error?.exitCode, 2)
      assert.equal(result.stderr, '')
    }
  })

  it('a mistyped command in GitHub Actions: ::error:: annotation, step summary and outcome output (exit 2)', async () => {
    const dir = tempDir('gwdeploy-gh-typo-')
    const summary = join(dir, 'summary.md')
    const output = join(dir, 'output')
    const result = await runCli(['relase', '--sha', 'abc'], {
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output },
    })
    assert.equal(result.exitCode, 2, result.stderr)
    assert.match(
      result.stderr,
      /^::error title=gwdeploy relase failed \(exit 2\)::"relase" is not a gwdeploy command\. Did you mean "gwdeploy release"\?$/m,
    )
    assert.match(readFileSync(summary, 'utf8'), /## gwdeploy relase: failed \(exit 2\)/)
    assert.equal(readFileSync(output, 'utf8'), 'outcome=usage-error\nexit-code=2\n')
  })
})
