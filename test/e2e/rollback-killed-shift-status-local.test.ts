/**
 * A release SIGKILLed at its first shift step, then `gwdeploy rollback` (all traffic back on the
 * live release): the killed release's colour never went live, so neither the rollback nor `status`
 * may call it the previous release kept for rollback. It is idle, for `retire` or a release.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { isAlive, liveName, makeProject, type Project, sha, sleep } from '../core/helpers/project.ts'

interface ColourView {
  colour: string
  role: string
  weight: number
  sha: string
  keepUntil?: string
}

describe('status after rolling back a release killed mid-shift (local, CLI)', () => {
  let project: Project
  before(async () => {
    project = await makeProject({
      size: 1,
      lockTtl: '10m',
      shift: { strategy: 'steps', steps: [10, 100], bake: '300ms' },
    })
    for (const n of [1, 2]) {
      const released = await project.run(['release', '--sha', sha(n)])
      assert.equal(released.code, 0, released.stderr)
    }
  })
  after(async () => {
    await project?.cleanup()
  })

  it('the never-live colour is idle, not "previous … kept for rollback"; a real previous still is', async () => {
    const before = await project.json<{ result: { colours: ColourView[] } }>(['status'])
    const previous = before.envelope.result.colours.find((c) => c.role === 'previous')
    assert.equal(previous?.sha, sha(1), JSON.stringify(before.envelope.result.colours))

    const killed = await project.run(['release', '--sha', sha(3)], { GWDEPLOY_TEST_KILL_AT: 'shift:10' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    const rollback = await project.run(['rollback'])
    assert.equal(rollback.code, 0, rollback.stderr)
    assert.equal(await liveName(project.port), `e2e rev-${sha(2).slice(0, 7)}`)
    assert.doesNotMatch(rollback.stderr, /\(0303030\) kept for rollback/)
    assert.match(rollback.stderr, /\(0303030\) never went live: left idle, not kept for rollback/)

    const status = await project.json<{ result: { colours: ColourView[] } }>(['status'])
    const stopped = status.envelope.result.colours.find((c) => c.sha === sha(3))
    assert.equal(stopped?.role, 'idle', JSON.stringify(status.envelope.result.colours))
    assert.equal(stopped?.weight, 0)
    assert.equal(stopped?.keepUntil, undefined)
    const text = await project.run(['status'])
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, new RegExp(`${stopped?.colour} \\[idle 0%\\] 0303030 "e2e rev-0303030"\\n`))
    assert.doesNotMatch(text.stdout, /previous/)

    // A rollback from a release that went live still keeps that release for rollback.
    const released = await project.run(['release', '--sha', sha(4)])
    assert.equal(released.code, 0, released.stderr)
    const back = await project.run(['rollback'])
    assert.equal(back.code, 0, back.stderr)
    assert.match(back.stderr, /\(0404040\) kept for rollback until/)
    const last = await project.json<{ result: { colours: ColourView[] } }>(['status'])
    const kept = last.envelope.result.colours.find((c) => c.sha === sha(4))
    assert.equal(kept?.role, 'previous', JSON.stringify(last.envelope.result.colours))
  })

  it('killed mid-shift, then the live colour dies: rollback redeploys the live SHA; the killed release is not "kept for rollback"', async () => {
    const before = await project.json<{ result: { colours: ColourView[] } }>(['status'])
    const live = before.envelope.result.colours.find((c) => c.role === 'live')
    assert.equal(live?.sha, sha(2), JSON.stringify(before.envelope.result.colours))
    const killed = await project.run(['release', '--sha', sha(5)], { GWDEPLOY_TEST_KILL_AT: 'shift:10' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    for (const node of (await project.fleet(live.colour))?.nodes ?? []) process.kill(node.pid, 'SIGKILL')

    const rollback = await project.run(['rollback'])
    assert.equal(rollback.code, 0, rollback.stderr)
    assert.match(rollback.stdout, /rolled back to 0202020 .*\(redeployed as recorded\)/)
    // The killed canary is what is rolled back: once the redeployed colour passes its gate it takes
    // all traffic in one route (as a switch does), not a bake at the split with the canary still in.
    const routed = rollback.stderr.match(/traffic: blue \d+%, green \d+%/g)
    const all = live.colour === 'blue' ? 'blue 100%, green 0%' : 'blue 0%, green 100%'
    assert.deepEqual(routed, [`traffic: ${all}`], rollback.stderr)
    assert.match(
      rollback.stderr,
      /\(0505050\) never went live: its 10% goes back to \w+ in one step once \w+ \(0202020\) passes its health gate/,
    )
    assert.equal(await liveName(project.port), `e2e rev-${sha(2).slice(0, 7)}`)
    assert.doesNotMatch(rollback.stderr, /\(0505050\) kept for rollback/)
    assert.match(rollback.stderr, /\(0505050\) never went live: left idle, not kept for rollback/)
    const status = await project.json<{ result: { colours: ColourView[] } }>(['status'])
    const stopped = status.envelope.result.colours.find((c) => c.sha === sha(5))
    assert.equal(stopped?.role, 'idle', JSON.stringify(status.envelope.result.colours))
    assert.equal(stopped?.keepUntil, undefined)
  })

  it('that redeploy stopped (Ctrl-C) before its gate: traffic stays as found, not all of it on the killed canary; the re-run finishes', async () => {
    const before = await project.json<{ result: { colours: ColourView[] } }>(['status'])
    const live = before.envelope.result.colours.find((c) => c.role === 'live')
    assert.equal(live?.sha, sha(2), JSON.stringify(before.envelope.result.colours))
    const canary = live.colour === 'blue' ? 'green' : 'blue'
    const killed = await project.run(['release', '--sha', sha(6)], { GWDEPLOY_TEST_KILL_AT: 'shift:10' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    for (const node of (await project.fleet(live.colour))?.nodes ?? []) process.kill(node.pid, 'SIGKILL')

    const rollback = project.start(['rollback'], { GWDEPLOY_TEST_PAUSE_AT: 'verify' })
    let stderr = ''
    rollback.child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    for (let i = 0; i < 600 && !/paused at verify/.test(stderr); i++) await sleep(50)
    rollback.child.kill('SIGTERM')
    const stopped = await rollback.done
    assert.equal(stopped.code, 130, stopped.stderr)
    assert.match(stopped.stderr, /traffic stays blue \d+% \/ green \d+%, as this rollback found it/)
    assert.doesNotMatch(stopped.stderr, /traffic: blue/, 'no route: the router keeps the split it had')
    const routes = await project.routes()
    assert.equal(routes?.colours[live.colour]?.weight, 90, JSON.stringify(routes))
    assert.equal(routes?.colours[canary]?.weight, 10, JSON.stringify(routes))
    assert.equal(
      (await project.fleet(live.colour))?.sha,
      sha(2),
      'the colour rolled back to is not torn down',
    )

    const again = await project.run(['rollback'])
    assert.equal(again.code, 0, again.stderr)
    assert.equal(await liveName(project.port), `e2e rev-${sha(2).slice(0, 7)}`)
    assert.match(again.stderr, /\(0606060\) never went live: left idle, not kept for rollback/)
  })

  it('that redeploy failing its health gate: exit 4, traffic stays as found, neither colour torn down; the re-run finishes', async () => {
    const options = { size: 1, lockTtl: '10m', shift: { strategy: 'steps', steps: [10, 100], bake: '300ms' } }
    const before = await project.json<{ result: { colours: ColourView[] } }>(['status'])
    const live = before.envelope.result.colours.find((c) => c.role === 'live')
    assert.equal(live?.sha, sha(2), JSON.stringify(before.envelope.result.colours))
    const canary = live.colour === 'blue' ? 'green' : 'blue'
    const killed = await project.run(['release', '--sha', sha(7)], { GWDEPLOY_TEST_KILL_AT: 'shift:10' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    for (const node of (await project.fleet(live.colour))?.nodes ?? []) process.kill(node.pid, 'SIGKILL')

    // A health path no node answers 200 on: the redeployed node is up and fails the gate for real.
    await project.writeConfig({ ...options, health: { path: '/__not-health', deadline: '2s' } })
    const failed = await project.run(['rollback'])
    assert.equal(failed.code, 4, failed.stderr)
    assert.match(failed.stderr, /traffic stays blue \d+% \/ green \d+%, as this rollback found it/)
    assert.doesNotMatch(failed.stderr, /traffic: blue/, 'no route: the router keeps the split it had')
    const routes = await project.routes()
    assert.equal(routes?.colours[live.colour]?.weight, 90, JSON.stringify(routes))
    assert.equal(routes?.colours[canary]?.weight, 10, JSON.stringify(routes))
    assert.equal((await project.fleet(canary))?.sha, sha(7), 'the canary, still served 10%, is not torn down')
    assert.equal((await project.fleet(live.colour))?.sha, sha(2), 'the colour served 90% is not torn down')

    await project.writeConfig(options)
    const again = await project.run(['rollback'])
    assert.equal(again.code, 0, again.stderr)
    assert.equal(await liveName(project.port), `e2e rev-${sha(2).slice(0, 7)}`)
  })

  it('the colour a rollback left, its nodes all dead, past its keep window: status says so and the way out, not "kept" silently', async () => {
    const options = { size: 1, lockTtl: '10m', shift: { strategy: 'steps', steps: [10, 100], bake: '300ms' } }
    const released = await project.run(['release', '--sha', sha(8)])
    assert.equal(released.code, 0, released.stderr)
    // A short keep window for the rollback's finalize, so the colour it leaves is soon past it.
    await project.writeConfig({ ...options, shift: { ...options.shift, keep: '1s' } })
    const back = await project.run(['rollback'])
    assert.equal(back.code, 0, back.stderr)
    await project.writeConfig(options)
    const left = (
      await project.json<{ result: { colours: ColourView[] } }>(['status'])
    ).envelope.result.colours.find((c) => c.sha === sha(8))
    assert.equal(left?.role, 'previous')
    for (const node of (await project.fleet(left.colour))?.nodes ?? []) process.kill(node.pid, 'SIGKILL')
    for (let i = 0; i < 100 && Date.parse(left.keepUntil ?? '') >= Date.now(); i++) await sleep(50)

    const status = await project.json<{
      result: { colours: Array<ColourView & { noLiveNode?: boolean }>; rollback: unknown }
      warnings: string[]
    }>(['status'])
    assert.equal(status.code, 0, JSON.stringify(status.envelope))
    const dead = status.envelope.result.colours.find((c) => c.sha === sha(8))
    assert.equal(dead?.noLiveNode, true, JSON.stringify(status.envelope.result.colours))
    const until = (dead?.keepUntil ?? '').replace(/\./g, '\\.')
    const warning = new RegExp(
      `^${left.colour} \\(0808080\\) was kept \\(left by the rollback at \\S+\\) until ${until} \\(expired\\), but none of its 1 node\\(s\\) is left \\(${left.colour}-0808080-0: pid \\d+ exited\\): it is no instant switch any more — \`gwdeploy rollback --to ${sha(8)}\` redeploys 0808080 as recorded \\(a new deploy\\), \`gwdeploy retire\` removes it$`,
    )
    assert.equal(
      status.envelope.warnings.filter((w) => warning.test(w)).length,
      1,
      JSON.stringify(status.envelope.warnings),
    )
    const text = await project.run(['status'])
    assert.equal(text.code, 0, text.stderr)
    assert.match(
      text.stdout,
      new RegExp(
        `${left.colour} \\[previous 0%\\] 0808080 "e2e rev-0808080", kept until ${until} \\(expired: \`gwdeploy retire\`\\), NO LIVE NODE\\n`,
      ),
    )
    assert.match(text.stderr, new RegExp(warning.source.slice(1, -1)), 'the same warning on stderr')

    const retired = await project.run(['retire'])
    assert.equal(retired.code, 0, retired.stderr)
    const after = await project.json<{ warnings: string[] }>(['status'])
    assert.deepEqual(after.envelope.warnings, [])
  })

  it('the kept colour hung (its processes run, answer nothing): status says rollback redeploys it; rollback replaces its nodes and goes live', async () => {
    const released = await project.run(['release', '--sha', sha(9)])
    assert.equal(released.code, 0, released.stderr)
    const kept = (
      await project.json<{ result: { colours: ColourView[] } }>(['status'])
    ).envelope.result.colours.find((c) => c.role === 'previous')
    assert.equal(kept?.sha, sha(2))
    const hung = (await project.fleet(kept.colour))?.nodes.map((n) => n.pid) ?? []
    for (const pid of hung) process.kill(pid, 'SIGSTOP')
    try {
      const status = await project.json<{ result: { rollback: unknown }; warnings: string[] }>(['status'])
      assert.equal(status.code, 0, JSON.stringify(status.envelope))
      assert.deepEqual(status.envelope.result.rollback, { sha: sha(2), how: 'redeploy' })
      assert.ok(
        status.envelope.warnings.some((w) =>
          new RegExp(
            `^${kept.colour} \\(0202020\\) is kept for rollback until \\S+, but none of its 1 node\\(s\\) is live \\(${kept.colour}-0202020-0: GET /__health failed: no answer within 1000 ms\\): \`gwdeploy rollback\` redeploys 0202020 as recorded`,
          ).test(w),
        ),
        JSON.stringify(status.envelope.warnings),
      )
      const back = await project.run(['rollback'])
      assert.equal(back.code, 0, back.stderr)
      assert.match(
        back.stderr,
        new RegExp(
          `${kept.colour} \\(0202020\\) failed its check: its 1 node\\(s\\) are replaced, not reused`,
        ),
      )
      assert.equal(await liveName(project.port), `e2e rev-${sha(2).slice(0, 7)}`)
      for (const pid of hung) assert.ok(!isAlive(pid), `hung node ${pid} still runs`)
    } finally {
      for (const pid of hung) if (isAlive(pid)) process.kill(pid, 'SIGCONT')
    }
  })
})
