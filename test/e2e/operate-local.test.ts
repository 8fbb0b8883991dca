/**
 * Operating a release on the local provider through the built CLI: `logs`, `status` exit codes
 * and --wait-for, the release freeze. One release shared by the tests, in order.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { lineTime } from '../../src/core/logs.ts'
import { makeProject, type Project, sha, sleep } from '../core/helpers/project.ts'

async function waitFor(text: () => string, pattern: RegExp, ms = 30_000) {
  const end = Date.now() + ms
  while (!pattern.test(text())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}: ${text()}`)
    await sleep(25)
  }
}

describe('operating a local release', { concurrency: false }, () => {
  let project: Project
  let beforeRelease: string
  let afterRelease: string
  before(async () => {
    project = await makeProject({ size: 2 })
    beforeRelease = new Date().toISOString()
    const released = await project.run(['release', '--sha', sha(1)])
    assert.equal(released.code, 0, released.stderr)
    afterRelease = new Date().toISOString()
  })
  after(async () => {
    await project?.cleanup()
  })

  it('logs: the last lines of every live node, as JSON', async () => {
    const { code, envelope } = await project.json<{
      result: { nodes: string[]; lines: Array<{ colour: string; node: string; line: string }> }
      warnings: string[]
    }>(['logs', '--colour', 'live', '-n', '1'])
    assert.equal(code, 0, JSON.stringify(envelope))
    assert.equal(envelope.result.nodes.length, 2)
    assert.equal(envelope.result.lines.length, 2)
    assert.deepEqual(envelope.warnings, [], 'nodes that run: nothing said')
    assert.deepEqual(new Set(envelope.result.lines.map((l) => l.node)), new Set(envelope.result.nodes))
    for (const line of envelope.result.lines) assert.equal(line.colour, 'blue')
  })

  it('logs: one node by number, filtered by --grep, without a prefix', async () => {
    const result = await project.run(['logs', '--node', '1', '--grep', 'listening on'])
    assert.equal(result.code, 0, result.stderr)
    const lines = result.stdout.trim().split('\n')
    assert.equal(lines.length, 1, result.stdout)
    assert.match(
      lines[0] ?? '',
      /^\d{4}\/\d\d\/\d\d .*gateway "e2e rev-0101010" listening on 127\.0\.0\.1:\d+/,
    )
  })

  it('logs: a colour that is not up, a bad --since and a bad --node are usage errors (exit 2)', async () => {
    const previous = await project.run(['logs', '--colour', 'previous'])
    assert.equal(previous.code, 2, previous.stderr)
    assert.match(previous.stderr, /no previous colour/)
    const since = await project.run(['logs', '--since', 'yesterday'])
    assert.equal(since.code, 2, since.stderr)
    assert.match(since.stderr, /--since yesterday is neither a duration nor a time/)
    const node = await project.run(['logs', '--node', 'nope'])
    assert.equal(node.code, 2, node.stderr)
    assert.match(node.stderr, /--node nope matches no node[\s\S]*1\. blue-/)
  })

  it('logs -f: follows new lines until Ctrl-C, then exits 0', async () => {
    // A request before the follow starts: -n 0 (as `tail -n 0`) leaves its line out.
    await fetch(`http://127.0.0.1:${project.port}/v1/ping`).then((r) => r.arrayBuffer())
    await sleep(1_500)
    const followFrom = Date.now()
    const follow = project.start(['logs', '-f', '-n', '0', '--grep', 'v1/ping'])
    let stdout = ''
    follow.child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString()
    })
    // The follower polls the log files; keep asking until one request shows up.
    const end = Date.now() + 30_000
    while (!/GET "\/v1\/ping"/.test(stdout) && Date.now() < end) {
      await fetch(`http://127.0.0.1:${project.port}/v1/ping`).then((r) => r.arrayBuffer())
      await sleep(300)
    }
    await waitFor(() => stdout, /^\[blue blue-\S+\] .*ACCESS .*GET "\/v1\/ping"/m)
    assert.doesNotMatch(stdout, /__health/)
    for (const line of stdout.split('\n').filter(Boolean)) {
      const time = lineTime(line.replace(/^\[[^\]]*\] /, ''))
      assert.ok(time !== undefined && time >= followFrom - 1_000, `an earlier line: ${line}`)
    }
    follow.child.kill('SIGINT')
    const done = await follow.done
    assert.equal(done.code, 0, done.stderr)
  })

  it('logs -f --json: one JSON object per line, the closing envelope one line too', async () => {
    const follow = project.start(['logs', '-f', '-n', '1', '--colour', 'live', '--json'])
    let stdout = ''
    follow.child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString()
    })
    await waitFor(() => stdout, /"node":"blue-[^"]+","line":.*\n[\s\S]*"node":"blue-[^"]+","line":.*\n/)
    follow.child.kill('SIGINT')
    const done = await follow.done
    assert.equal(done.code, 0, done.stderr)
    const objects = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { status?: string; colour?: string; result?: { count: number } })
    const envelope = objects.at(-1)
    assert.equal(envelope?.status, 'ok', stdout)
    assert.equal(envelope?.result?.count, objects.length - 1)
    for (const line of objects.slice(0, -1)) assert.equal(line.colour, 'blue')
  })

  it('logs --since: only lines from that time on', async () => {
    const all = await project.run(['logs', '--since', beforeRelease, '--grep', 'listening on'])
    assert.equal(all.code, 0, all.stderr)
    assert.equal(all.stdout.trim().split('\n').length, 2, all.stdout)
    const none = await project.run(['logs', '--since', afterRelease, '--grep', 'listening on'])
    assert.equal(none.code, 0, none.stderr)
    assert.equal(none.stdout, '')
  })

  it('status --wait-for live: exit 0 once reached; --wait-for preview times out with exit 7', async () => {
    const live = await project.json<{ result: { serving: string } }>([
      'status',
      '--wait-for',
      'live',
      '--timeout',
      '30s',
    ])
    assert.equal(live.code, 0, JSON.stringify(live.envelope))
    assert.equal(live.envelope.result.serving, 'blue')
    const preview = await project.run([
      'status',
      '--wait-for',
      'preview',
      '--timeout',
      '1s',
      '--interval',
      '200ms',
    ])
    assert.equal(preview.code, 7, preview.stderr)
    assert.match(preview.stderr, /preview not reached within 1 s: no preview colour yet/)
    const bad = await project.run(['status', '--wait-for', 'soon'])
    assert.equal(bad.code, 2, bad.stderr)
  })

  it('freeze: lock acquire -m holds release/promote/rollback (exit 3, reason and who) until lock release', async () => {
    const frozen = await project.run(['lock', 'acquire', '-m', 'incident 42: hands off'])
    assert.equal(frozen.code, 0, frozen.stderr)
    assert.match(
      frozen.stdout,
      /releases FROZEN by \S+@\S+: "incident 42: hands off" \(since .*, until `gwdeploy lock release`\)/,
    )
    const shown = await project.run(['status'])
    assert.equal(shown.code, 0, shown.stderr)
    assert.match(shown.stdout, /^releases FROZEN by \S+: "incident 42: hands off"/m)
    for (const args of [
      ['release', '--sha', sha(2), '--lock-wait=30s'],
      ['promote'],
      ['rollback'],
      ['lock', 'acquire', '-m', 'again'],
    ]) {
      const held = await project.run(args)
      assert.equal(held.code, 3, `${args.join(' ')}: ${held.stderr}`)
      assert.match(held.stderr, /releases are frozen by \S+@\S+: "incident 42: hands off"/, args.join(' '))
      assert.match(held.stderr, /`gwdeploy lock release` lifts it/)
    }
    const live = await project.json<{ result: { colours: Array<{ sha: string; weight: number }> } }>([
      'status',
    ])
    assert.deepEqual(
      live.envelope.result.colours.map((c) => [c.sha, c.weight]),
      [[sha(1), 100]],
    )
    const thawed = await project.run(['lock', 'release'])
    assert.equal(thawed.code, 0, thawed.stderr)
    assert.match(thawed.stdout, /releases unfrozen \(frozen by \S+: "incident 42: hands off"\)/)
    const again = await project.run(['release', '--sha', sha(1)])
    assert.equal(again.code, 0, again.stderr)
  })

  it('freeze --ttl: an expired freeze no longer holds releases', async () => {
    const frozen = await project.run(['lock', 'acquire', '-m', 'short one', '--ttl', '1s'])
    assert.equal(frozen.code, 0, frozen.stderr)
    assert.match(frozen.stdout, /until \S+ or `gwdeploy lock release`/)
    await sleep(1_500)
    const release = await project.run(['release', '--sha', sha(1)])
    assert.equal(release.code, 0, release.stderr)
    const bad = await project.run(['lock', 'acquire', '-m', ' '])
    assert.equal(bad.code, 2, bad.stderr)
  })

  it('status --wait-for preview: exit 0 once a --no-shift release is up; live stays reached', async () => {
    const preview = await project.run(['release', '--sha', sha(2), '--no-shift'])
    assert.equal(preview.code, 0, preview.stderr)
    const waited = await project.json<{ result: { colours: Array<{ colour: string; role: string }> } }>([
      'status',
      '--wait-for',
      'preview',
      '--timeout',
      '30s',
    ])
    assert.equal(waited.code, 0, JSON.stringify(waited.envelope))
    assert.deepEqual(
      waited.envelope.result.colours.map((c) => [c.colour, c.role]),
      [
        ['blue', 'live'],
        ['green', 'preview'],
      ],
    )
    const live = await project.run(['status', '--wait-for', 'live', '--timeout', '30s'])
    assert.equal(live.code, 0, live.stderr)
  })

  it("a hung serving node (SIGSTOP: it accepts connections, never answers) leaves the front proxy's rotation", async () => {
    const victim = (await project.fleet('blue'))?.nodes[0]
    assert.ok(victim)
    process.kill(victim.pid, 'SIGSTOP')
    try {
      // Round robin over two nodes: ten answers in a row only once the hung one is passed over.
      let inARow = 0
      for (const end = Date.now() + 30_000; inARow < 10; ) {
        assert.ok(Date.now() < end, 'ten answers in a row within 30 s of the node hanging')
        const answered = await fetch(`http://127.0.0.1:${project.port}/__health`, {
          signal: AbortSignal.timeout(3_000),
        }).then(
          (r) => r.text().then(() => r.status === 200),
          () => false,
        )
        inARow = answered ? inARow + 1 : 0
      }
      // status's own probe names it too (exit 4: it still gets the requests it holds)
      const status = await project.run(['status'])
      assert.equal(status.code, 4, status.stderr)
      assert.match(status.stderr, new RegExp(`unhealthy: blue node ${victim.id} .*no answer within`))
    } finally {
      process.kill(victim.pid, 'SIGCONT')
    }
    // Back in rotation after two good checks: status is clean again (the tests after this one start from it).
    for (const end = Date.now() + 30_000; ; await sleep(200)) {
      const status = await project.run(['status'])
      if (status.code === 0) break
      assert.ok(Date.now() < end, `status clean within 30 s of SIGCONT: ${status.stderr}`)
    }
  })

  // Last: it kills a serving node.
  it('a dead serving node: status --watch --json streams the change, status exits 4, --wait-for healthy exits 4', async () => {
    const healthy = await project.run(['status'])
    assert.equal(healthy.code, 0, healthy.stderr)
    const watch = project.start(['status', '--watch', '--json', '--interval', '200ms'])
    let stdout = ''
    watch.child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString()
    })
    await waitFor(() => stdout, /\n/)
    const fleet = await project.fleet('blue')
    const victim = fleet?.nodes[0]
    assert.ok(victim)
    process.kill(victim.pid, 'SIGKILL')
    await waitFor(() => stdout, /^.*\n.*\n/)
    watch.child.kill('SIGINT')
    const done = await watch.done
    assert.equal(done.code, 0, done.stderr)
    const objects = done.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    assert.ok(objects.length >= 3, done.stdout)
    const [first, second] = objects
    assert.ok(first.colours[0].nodes.every((n: { health?: { ok: boolean } }) => n.health?.ok))
    assert.ok(second.colours[0].nodes.some((n: { health?: { ok: boolean } }) => !n.health?.ok))
    assert.equal(objects.at(-1).status, 'ok')

    const plain = await project.run(['status'])
    assert.equal(plain.code, 4, plain.stderr)
    assert.match(plain.stderr, /unhealthy: blue node \S+ \(100% of traffic\)/)
    assert.match(plain.stdout, /^blue \[live 100%\]/m)
    const json = await project.run(['status', '--json'])
    assert.equal(json.code, 4, json.stderr)
    const envelope = JSON.parse(json.stdout)
    assert.equal(envelope.status, 'error', 'exit 4 is never an "ok" envelope')
    assert.equal(envelope.error.code, 'health_gate')
    assert.equal(envelope.error.exitCode, 4)
    assert.equal(envelope.error.details.status.colours[0].colour, 'blue')
    assert.ok(
      envelope.warnings.some((w: string) => /unhealthy: blue node/.test(w)),
      json.stdout,
    )
    const wait = await project.run([
      'status',
      '--wait-for',
      'healthy',
      '--timeout',
      '30s',
      '--interval',
      '200ms',
    ])
    assert.equal(wait.code, 4, wait.stderr)
    assert.match(wait.stderr, /degraded while waiting for healthy: blue node/)
  })

  // After the one above: the other serving node dies too.
  it('no serving node left: --wait-for live and healthy exit 6 at once (nothing is served), as plain status; preview is still reached', async () => {
    for (const node of (await project.fleet('blue'))?.nodes ?? []) {
      try {
        process.kill(node.pid, 'SIGKILL')
      } catch {}
    }
    const plain = await project.run(['status'])
    assert.equal(plain.code, 6, plain.stderr)
    for (const goal of ['live', 'healthy']) {
      const wait = await project.run(['status', '--wait-for', goal, '--timeout', '1m', '--interval', '200ms'])
      assert.equal(wait.code, 6, wait.stderr)
      assert.match(
        wait.stderr,
        new RegExp(
          `nothing is served, waiting for ${goal} cannot help: blue \\(0101010\\) gets 100% of requests, but none of its 2 node\\(s\\) is left`,
        ),
      )
      assert.match(wait.stderr, /`gwdeploy release --sha 0101010\w*` brings 0101010 back/)
      // Decided on the first poll: no "waiting for" progress line before it.
      assert.doesNotMatch(wait.stderr, /waiting for (live|healthy):/)
    }
    const json = await project.json<{
      status: string
      error: { code: string; exitCode: number; message: string; details: { status: { serving: string } } }
    }>(['status', '--wait-for', 'live', '--timeout', '1m', '--interval', '200ms'])
    assert.equal(json.code, 6)
    assert.equal(json.envelope.status, 'error')
    assert.equal(json.envelope.error.exitCode, 6)
    assert.match(json.envelope.error.message, /^nothing is served, waiting for live cannot help/)
    assert.equal(json.envelope.error.details.status.serving, 'blue')
    // logs still reads them, and says they are not running: a last healthy line is not a node that is fine.
    const logs = await project.json<{ result: { lines: Array<{ node: string }> }; warnings: string[] }>([
      'logs',
      '--colour',
      'live',
      '-n',
      '1',
    ])
    assert.equal(logs.code, 0, JSON.stringify(logs.envelope))
    assert.equal(logs.envelope.result.lines.length, 2)
    assert.equal(logs.envelope.warnings.length, 2, JSON.stringify(logs.envelope.warnings))
    for (const warning of logs.envelope.warnings)
      assert.match(
        warning,
        /^blue node blue-0101010-\d is not running \(pid \d+ exited\): its lines end where it stopped/,
      )
    // The --no-shift release above still runs green: waiting for it is not waiting for traffic.
    const preview = await project.run(['status', '--wait-for', 'preview', '--timeout', '30s'])
    assert.equal(preview.code, 0, preview.stderr)
  })
})
