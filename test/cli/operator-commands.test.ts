/**
 * The commands an operator runs at 3 a.m. (built CLI, local provider, nothing released): they work
 * without the release job's secrets, name unreadable state, and keep --json's one envelope.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { envelope, RUN_JS, runCli } from '../helpers/cli.ts'
import { tempDir } from '../helpers/files.ts'
import { freePort } from '../helpers/free-port.ts'

const SECRET_USING = [
  'service: demo',
  'hooks:',
  '  preRelease:',
  '    - echo ${GWD_QA_API_TOKEN}',
  'notify:',
  '  webhooks:',
  '    - url: ${GWD_QA_SLACK_WEBHOOK_URL}',
  '',
].join('\n')

function project(yml = 'service: demo\n'): string {
  const dir = tempDir('gwdeploy-ops-')
  writeFileSync(join(dir, 'gwdeploy.yml'), yml)
  writeFileSync(join(dir, 'gateway.json'), '{"version":3,"endpoints":[]}')
  return dir
}

describe('read-only commands without the release job secrets', () => {
  test('status, history, lock status and logs run with hook and notify ${VAR}s unset', async () => {
    const dir = project(SECRET_USING)
    for (const args of [['status'], ['history'], ['lock', 'status']]) {
      const result = await runCli([...args, '--json'], { cwd: dir })
      assert.equal(result.exitCode, 0, `${args.join(' ')}: ${result.stdout}${result.stderr}`)
      assert.equal(envelope(result).status, 'ok')
    }
    // Nothing runs, so there are no logs: but that, not a missing variable, is the answer.
    const logs = await runCli(['logs', '--json'], { cwd: dir })
    assert.doesNotMatch(logs.stdout, /GWD_QA_/)
    assert.match(envelope(logs).error?.message ?? '', /no {1,2}nodes are running/)
  })

  test('a variable that says where the target is still has to be set', async () => {
    const dir = project(`${SECRET_USING}provider:\n  local:\n    stateDir: \${GWD_QA_STATE_DIR}\n`)
    const result = await runCli(['status', '--json'], { cwd: dir })
    assert.equal(result.exitCode, 2)
    const problems = envelope(result).error?.problems ?? []
    assert.deepEqual(
      problems.map((p) => p.message),
      ['environment variable GWD_QA_STATE_DIR is not set'],
    )
  })

  test('lock acquire/release, maintenance on/off and abort (no hooks, nothing sent) run with them unset', async () => {
    const dir = project(`${SECRET_USING}provider:\n  local:\n    listen: 127.0.0.1:${await freePort()}\n`)
    for (const [args, code] of [
      [['lock', 'acquire', '-m', 'incident'], 0],
      [['lock', 'release'], 0],
      [['maintenance', 'on'], 0],
      [['maintenance', 'off'], 0],
      [['abort'], 2], // nothing runs: that, not a missing variable, is the answer
      [['destroy', '--force'], 0], // stops the front proxy `maintenance on` started
    ] as const) {
      const result = await runCli([...args, '--json'], { cwd: dir })
      assert.equal(result.exitCode, code, `${args.join(' ')}: ${result.stdout}${result.stderr}`)
      assert.doesNotMatch(result.stdout, /GWD_QA_/, args.join(' '))
    }
  })

  test('rollback goes ahead without the notify ${VAR}s: notify is left out and the warning names the variable (it was exit 2)', async () => {
    const dir = project(
      ['service: demo', 'notify:', '  webhooks:', '    - url: ${GWD_QA_SLACK_WEBHOOK_URL}', ''].join('\n'),
    )
    const result = await runCli(['rollback', '--json'], { cwd: dir })
    const out = envelope(result)
    // nothing was released: that, not the missing webhook, is the answer
    assert.equal(result.exitCode, 2, `${result.stdout}${result.stderr}`)
    assert.doesNotMatch(out.error?.message ?? '', /GWD_QA_SLACK_WEBHOOK_URL/)
    assert.deepEqual(out.warnings, [
      'notify left out, no webhook is sent: gwdeploy.yml:4:7 (notify.webhooks[0].url): environment variable GWD_QA_SLACK_WEBHOOK_URL is not set',
    ])
  })

  test('a release still needs them', async () => {
    const dir = project(SECRET_USING)
    const result = await runCli(['release', '--sha', 'a'.repeat(40), '--json'], { cwd: dir })
    assert.equal(result.exitCode, 2)
    assert.match(JSON.stringify(envelope(result).error?.problems), /GWD_QA_API_TOKEN/)
  })
})

describe('unreadable state is named', () => {
  test('a torn lock.json: lock status and lock acquire exit 6 naming the file and the way out', async () => {
    const dir = project()
    mkdirSync(join(dir, '.gwdeploy'), { recursive: true })
    writeFileSync(join(dir, '.gwdeploy', 'lock.json'), '{"holder":"x')
    for (const args of [
      ['lock', 'status'],
      ['lock', 'acquire', '-m', 'incident 42'],
    ]) {
      const result = await runCli(args, { cwd: dir })
      assert.equal(result.exitCode, 6, `${args.join(' ')}: ${result.stdout}${result.stderr}`)
      assert.match(result.stderr, /lock\.json/)
      assert.match(result.stderr, /gwdeploy lock release --force/)
    }
    const shown = await runCli(['status'], { cwd: dir })
    assert.match(shown.stdout, /lock: UNREADABLE .*`gwdeploy lock release --force` clears it/)
    const cleared = await runCli(['lock', 'release', '--force'], { cwd: dir })
    assert.equal(cleared.exitCode, 0, cleared.stderr)
    assert.equal((await runCli(['lock', 'status'], { cwd: dir })).stdout, 'lock: free\n')
  })

  test('lock status says a dead holder on this host is dead and will be taken over', async () => {
    const dir = project()
    mkdirSync(join(dir, '.gwdeploy'), { recursive: true })
    const gone = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    })
    const lock = {
      holder: `root@${hostname()} pid ${gone}`,
      operation: 'release',
      acquiredAt: new Date().toISOString(),
      renewedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    }
    writeFileSync(join(dir, '.gwdeploy', 'lock.json'), JSON.stringify(lock))
    const result = await runCli(['lock', 'status'], { cwd: dir })
    assert.equal(result.exitCode, 0, result.stderr)
    assert.match(result.stdout, /DEAD: its process on this host is gone; the next release takes it over/)
  })

  test('a corrupt release record is a warning in history --json', async () => {
    const dir = project()
    const records = join(dir, '.gwdeploy', 'records')
    mkdirSync(records, { recursive: true })
    const good = {
      time: '2026-01-01T00:00:00.000Z',
      operation: 'release',
      status: 'released',
      service: 'demo',
    }
    writeFileSync(join(records, '2026-01-01T000000000Z-release-aaaaaaa-0001.json'), JSON.stringify(good))
    writeFileSync(join(records, '2026-01-02T000000000Z-rollback-bbbbbbb-0002.json'), '{"torn')
    writeFileSync(join(records, '2026-01-03T000000000Z-release-ccccccc-0003.json'), '{\n "time": x\n}\n')
    const result = await runCli(['history', '-n', '3', '--json'], { cwd: dir })
    assert.equal(result.exitCode, 0, result.stderr)
    const body = envelope(result)
    assert.equal((body.result as unknown[]).length, 1)
    assert.match(body.warnings.join('\n'), /2026-01-02T000000000Z-rollback-bbbbbbb-0002\.json cannot be read/)
    const human = await runCli(['history'], { cwd: dir })
    assert.match(human.stderr, /rollback-bbbbbbb-0002\.json cannot be read/)
    // Where the text breaks, on one line (V8's message quotes the text, newlines and all).
    assert.match(
      body.warnings.join('\n'),
      /ccccccc-0003\.json cannot be read \(not valid JSON at line 2 column 10\): it/,
    )
  })
})

test('history names the share a promote --weight left on its colour', async () => {
  const dir = project()
  const records = join(dir, '.gwdeploy', 'records')
  mkdirSync(records, { recursive: true })
  const record = (
    time: string,
    operation: string,
    status: string,
    weights: { blue: number; green: number },
  ) => ({
    time,
    operation,
    status,
    service: 'demo',
    sha: 'b'.repeat(40),
    configName: 'demo rev-bbbbbbb',
    colour: 'blue',
    weights,
  })
  writeFileSync(
    join(records, '2026-01-01T000000000Z-release-bbbbbbb-0001.json'),
    JSON.stringify(record('2026-01-01T00:00:00.000Z', 'release', 'preview', { blue: 0, green: 100 })),
  )
  writeFileSync(
    join(records, '2026-01-02T000000000Z-promote-bbbbbbb-0002.json'),
    JSON.stringify(record('2026-01-02T00:00:00.000Z', 'promote', 'preview', { blue: 30, green: 70 })),
  )
  const result = await runCli(['history'], { cwd: dir })
  assert.equal(result.exitCode, 0, result.stderr)
  assert.deepEqual(
    result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.replace(/\s+/g, ' ')),
    [
      '2026-01-02T00:00:00.000Z promote preview bbbbbbb "demo rev-bbbbbbb" blue 30%',
      '2026-01-01T00:00:00.000Z release preview bbbbbbb "demo rev-bbbbbbb" blue',
    ],
  )
})

describe('messages and exit codes', () => {
  test('lock acquire --ttl longer than a freeze without one is exit 2, not a crash', async () => {
    const result = await runCli(['lock', 'acquire', '-m', 'x', '--ttl', '999999999d', '--json'], {
      cwd: project(),
    })
    assert.equal(result.exitCode, 2, result.stdout)
    assert.match(
      envelope(result).error?.message ?? '',
      /^--ttl 999999999d is longer than a freeze without --ttl/,
    )
  })

  test('status refuses a flag that would do nothing (exit 2), never a status printed as if waited for', async () => {
    const dir = project()
    for (const [args, message] of [
      [['--timeout', '5m'], '--timeout 5m does nothing without --wait-for'],
      [['--interval', '1s'], '--interval 1s does nothing without --wait-for or --watch'],
      [['--wait-for', 'live', '--watch'], '--wait-for and --watch do not go together'],
    ] as const) {
      const result = await runCli(['status', ...args, '--json'], { cwd: dir })
      assert.equal(result.exitCode, 2, result.stdout)
      assert.equal(envelope(result).error?.message, message)
    }
  })

  test('a FIFO, a directory or a binary file as --page is exit 2, at once', async () => {
    const dir = project()
    const fifo = join(dir, 'page.fifo')
    execFileSync('mkfifo', [fifo])
    writeFileSync(join(dir, 'binary.html'), Buffer.from([0x3c, 0x70, 0x3e, 0x00, 0x3c]))
    for (const page of [dir, join(dir, 'binary.html'), fifo]) {
      // SIGKILL at the timeout: a process stuck opening a FIFO ignores SIGTERM.
      const result = spawnSync(process.execPath, [RUN_JS, 'maintenance', 'on', '--page', page], {
        cwd: dir,
        env: { ...process.env, CI: 'true' },
        encoding: 'utf8',
        timeout: 20_000,
        killSignal: 'SIGKILL',
      })
      assert.equal(result.status, 2, `${page}: ${result.signal ?? ''} ${result.stderr}`)
      assert.match(result.stderr, /--page .*(not a regular file|binary file)/)
    }
  })

  test('0s is a duration that is too short, and the message says the minimum', async () => {
    const dir = project()
    const ttl = await runCli(['lock', 'acquire', '-m', 'x', '--ttl', '0s'], { cwd: dir })
    assert.equal(ttl.exitCode, 2)
    assert.match(ttl.stderr, /--ttl 0s is too short: a freeze lasts at least 1s/)
    const timeout = await runCli(['status', '--wait-for', 'live', '--timeout', '0s'], { cwd: dir })
    assert.equal(timeout.exitCode, 2)
    assert.match(timeout.stderr, /--timeout 0s is too short: at least 100ms/)
    const bad = await runCli(['lock', 'acquire', '-m', 'x', '--ttl', 'soon'], { cwd: dir })
    assert.match(bad.stderr, /--ttl soon is not a duration/)
  })

  test('logs -n 0 without -f (no earlier lines, nothing to follow) is exit 2 saying what to use', async () => {
    const result = await runCli(['logs', '-n', '0'], { cwd: project() })
    assert.equal(result.exitCode, 2)
    assert.match(result.stderr, /-n 0 shows no earlier lines/)
    assert.match(result.stderr, /Add -f to follow new lines only.*--since/)
  })

  test('a mistyped command with --json prints one error envelope, exit 2', async () => {
    const result = await runCli(['stauts', '--json'])
    assert.equal(result.exitCode, 2)
    const body = envelope(result)
    assert.equal(body.status, 'error')
    assert.equal(body.error?.exitCode, 2)
    assert.match(body.error?.message ?? '', /Did you mean "gwdeploy status"/)
  })

  test('abort during a freeze is exit 2 (nothing running) and leaves the freeze', async () => {
    const dir = project()
    assert.equal((await runCli(['lock', 'acquire', '-m', 'incident 42'], { cwd: dir })).exitCode, 0)
    const result = await runCli(['abort'], { cwd: dir })
    assert.equal(result.exitCode, 2, result.stderr)
    assert.match(result.stderr, /nothing is running to abort: releases are frozen .*"incident 42"/)
    const still = await runCli(['lock', 'status'], { cwd: dir })
    assert.match(still.stdout, /freeze: incident 42/)
  })

  test('help gives SIGHUP for exit 130', async () => {
    for (const args of [['--help'], ['status', '--help']]) {
      const result = await runCli(args)
      assert.match(result.stdout, /130 {2}interrupted by SIGINT\/SIGTERM\/SIGHUP/)
    }
  })
})

describe('human status', () => {
  test("shows each node's revoker port and says a dead holder's lock will be taken over", async () => {
    const { renderStatus } = await import('../../src/commands/status.ts')
    const text = renderStatus({
      service: 'demo',
      provider: 'local',
      router: { present: true },
      weights: { blue: 100, green: 0 },
      served: true,
      serving: 'blue',
      colours: [
        {
          colour: 'blue',
          role: 'live',
          weight: 100,
          sha: 'a'.repeat(40),
          configName: 'demo rev-aaaaaaa',
          configDigest: 'd',
          nodes: [
            {
              id: 'blue-1',
              address: '127.0.0.1:4001',
              provider: 'healthy',
              meta: { pid: 1, port: 4001, revoker: 4101 },
            },
          ],
        },
      ],
      lock: {
        holder: 'root@vm pid 4712',
        operation: 'release',
        acquiredAt: '2026-01-01T00:00:00.000Z',
        renewedAt: '2026-01-01T00:00:00.000Z',
        expiresAt: '2999-01-01T00:00:00.000Z',
        expired: false,
        dead: true,
        takeover: 'the next release takes it over, or `gwdeploy lock release --force`',
      },
    })
    assert.match(text, /blue-1 .*revoker: 4101/)
    assert.match(
      text,
      /lock: held by root@vm pid 4712 .*DEAD: its process on this host is gone; the next release takes it over/,
    )
  })
})
