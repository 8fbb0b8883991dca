/**
 * The 3 a.m. operator after a `gwdeploy release` was SIGKILLed (GWDEPLOY_TEST_KILL_AT): `status`
 * says where the dead run left the target and which command goes on from there; `rollback` and a
 * second `release` then leave no lock, no split and no process of the killed run's green behind.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { isAlive, liveName, makeProject, type Project, sha, sleep } from '../core/helpers/project.ts'

interface StatusEnvelope {
  result: { weights: { blue: number; green: number }; lock: { dead?: boolean; operation?: string } | null }
  warnings: string[]
}

describe('after a release killed with SIGKILL: status, rollback, release again (local, CLI)', () => {
  let project: Project
  let round = 0
  before(async () => {
    project = await makeProject({
      size: 1,
      lockTtl: '10m',
      shift: { strategy: 'steps', steps: [10, 100], bake: '300ms' },
    })
    const first = await project.run(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, first.stderr)
  })
  after(async () => {
    await project?.cleanup()
  })

  const servingColour = async () =>
    Object.entries((await project.routes())?.colours ?? {}).find(([, e]) => e.weight === 100)?.[0] as string

  const killAt = async (point: string, target: string) => {
    const killed = await project.run(['release', '--sha', target], { GWDEPLOY_TEST_KILL_AT: point })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    const status = await project.json<StatusEnvelope>(['status'])
    assert.equal(status.code, 0, JSON.stringify(status.envelope))
    assert.equal(status.envelope.result.lock?.dead, true)
    return status.envelope
  }

  it('killed before any node was recorded: status says no traffic moved and how to go on; the release converges', async () => {
    round += 1
    const target = sha(10 + round)
    const status = await killAt('provision', target)
    const said = status.warnings.join('\n')
    assert.match(said, new RegExp(`release of ${target.slice(0, 7)} .* stopped without finishing`))
    assert.match(
      said,
      /before it recorded a node: no traffic moved \(a node it may have started is stopped by the next release or destroy\)/,
    )
    assert.match(said, new RegExp(`gwdeploy release --sha ${target}\` goes on from there`))
    const rerun = await project.run(['release', '--sha', target])
    assert.equal(rerun.code, 0, rerun.stderr)
    assert.equal(await liveName(project.port), `e2e rev-${target.slice(0, 7)}`)
  })

  it('killed with green up and no traffic: status names green and the way on (release) or out (retire)', async () => {
    round += 1
    const target = sha(10 + round)
    const serving = await servingColour()
    const status = await killAt('verify', target)
    const said = status.warnings.join('\n')
    const green = serving === 'blue' ? 'green' : 'blue'
    assert.match(
      said,
      new RegExp(
        `before traffic moved: ${green} runs ${target.slice(0, 7)} with no traffic, ${serving} \\(\\w{7}\\) serves as before`,
      ),
    )
    assert.match(said, /`gwdeploy retire` tears/)
    const pids = (await project.fleet(green))?.nodes.map((n) => n.pid) ?? []
    assert.ok(pids.length > 0)
    const retired = await project.run(['retire'])
    assert.equal(retired.code, 0, retired.stderr)
    for (const pid of pids) assert.ok(!isAlive(pid), `green node ${pid} of the killed run still runs`)
    const clean = await project.json<StatusEnvelope>(['status'])
    assert.equal(clean.envelope.result.lock, null)
    assert.deepEqual(clean.envelope.warnings, [])
  })

  it('killed at the first shift step: status shows the split and both ways; rollback puts all traffic back, release again goes live', async () => {
    round += 1
    const target = sha(10 + round)
    const serving = await servingColour()
    const servingSha = (await project.fleet(serving))?.sha as string
    const status = await killAt('shift:10', target)
    assert.equal(status.result.weights[serving as 'blue' | 'green'], 90)
    const said = status.warnings.join('\n')
    assert.match(said, /in the middle of its shift: traffic is blue \d+% \/ green \d+%/)
    assert.match(
      said,
      new RegExp(`\`gwdeploy rollback\` puts all traffic back on ${serving} \\(${servingSha.slice(0, 7)}\\)`),
    )

    const rollback = await project.run(['rollback'])
    assert.equal(rollback.code, 0, rollback.stderr)
    assert.equal(await servingColour(), serving)
    assert.equal(await liveName(project.port), `e2e rev-${servingSha.slice(0, 7)}`)
    const after = await project.json<StatusEnvelope>(['status'])
    assert.equal(after.envelope.result.lock, null)
    assert.deepEqual(after.envelope.warnings, [])

    const again = await project.run(['release', '--sha', target])
    assert.equal(again.code, 0, again.stderr)
    assert.equal(await liveName(project.port), `e2e rev-${target.slice(0, 7)}`)
  })

  it('killed after its record, before it released the lock: `status --wait-for live` is reached, the dead holder runs nothing', async () => {
    round += 1
    const target = sha(10 + round)
    await killAt('unlock', target)
    assert.equal(await liveName(project.port), `e2e rev-${target.slice(0, 7)}`)
    const waited = await project.json<{ status: string }>([
      'status',
      '--wait-for',
      'live',
      '--timeout',
      '20s',
    ])
    assert.equal(waited.code, 0, JSON.stringify(waited.envelope))
  })

  it('a rollback killed in the middle of its shift: status says so, and `rollback` again completes it instead of undoing it', async () => {
    round += 1
    const before = await servingColour()
    const earlier = (await project.fleet(before))?.sha as string
    const bad = sha(10 + round)
    const released = await project.run(['release', '--sha', bad])
    assert.equal(released.code, 0, released.stderr)
    // The earlier release's colour is gone: the rollback redeploys it, shifting in steps.
    const retired = await project.run(['retire'])
    assert.equal(retired.code, 0, retired.stderr)
    const killed = await project.run(['rollback'], { GWDEPLOY_TEST_KILL_AT: 'shift:10' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    const status = await project.json<StatusEnvelope>(['status'])
    assert.match(
      status.envelope.warnings.join('\n'),
      /the rollback by .* stopped without finishing \(its process is gone\) in the middle of its shift: traffic is blue \d+% \/ green \d+%; `gwdeploy rollback` completes it/,
    )

    const again = await project.run(['rollback'])
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stderr, new RegExp(`completing it, all traffic to ${earlier.slice(0, 7)}`))
    assert.equal(await liveName(project.port), `e2e rev-${earlier.slice(0, 7)}`)
    const after = await project.json<StatusEnvelope>(['status'])
    assert.equal(after.envelope.result.weights.blue + after.envelope.result.weights.green, 100)
    assert.ok([after.envelope.result.weights.blue, after.envelope.result.weights.green].includes(100))
    assert.equal(after.envelope.result.lock, null)
  })

  it('a rollback stopped by SIGTERM mid-shift keeps its gated split: status says so, and `rollback` again completes it instead of undoing it', async () => {
    round += 1
    const before = await servingColour()
    const earlier = (await project.fleet(before))?.sha as string
    const released = await project.run(['release', '--sha', sha(10 + round)])
    assert.equal(released.code, 0, released.stderr)
    // The earlier release's colour is gone: the rollback redeploys it, shifting in steps.
    const retired = await project.run(['retire'])
    assert.equal(retired.code, 0, retired.stderr)
    const run = project.start(['rollback'], { GWDEPLOY_TEST_PAUSE_AT: 'shift:100' })
    let stderr = ''
    run.child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    for (let i = 0; i < 600 && !/paused at shift:100/.test(stderr); i++) await sleep(50)
    run.child.kill('SIGTERM')
    const stopped = await run.done
    assert.equal(stopped.code, 130, stopped.stderr)
    const status = await project.json<StatusEnvelope & { result: { rollback: unknown } }>(['status'])
    assert.equal(
      status.envelope.result.weights[before as 'blue' | 'green'],
      10,
      JSON.stringify(status.envelope),
    )
    assert.match(
      status.envelope.warnings.join('\n'),
      new RegExp(
        `the rollback at \\S+ was interrupted in the middle of its shift: traffic is blue \\d+% / green \\d+%; \`gwdeploy rollback\` completes it \\(all traffic to ${earlier.slice(0, 7)}\\)`,
      ),
    )
    assert.deepEqual(status.envelope.result.rollback, { sha: earlier, how: 'switch', colour: before })

    const again = await project.run(['rollback'])
    assert.equal(again.code, 0, again.stderr)
    assert.match(
      again.stderr,
      new RegExp(
        `was interrupted in the middle of its shift: completing it, all traffic to ${earlier.slice(0, 7)}`,
      ),
    )
    assert.equal(await liveName(project.port), `e2e rev-${earlier.slice(0, 7)}`)
    assert.equal(await servingColour(), before)
  })

  it('a rollback stopped by SIGTERM after its switch, in finalize (exit 8): status says what did not finish and the release that finishes it', async () => {
    round += 1
    const before = await servingColour()
    const earlier = (await project.fleet(before))?.sha as string
    const released = await project.run(['release', '--sha', sha(10 + round)])
    assert.equal(released.code, 0, released.stderr)
    const run = project.start(['rollback'], { GWDEPLOY_TEST_PAUSE_AT: 'finalize' })
    let stderr = ''
    run.child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    for (let i = 0; i < 600 && !/paused at finalize/.test(stderr); i++) await sleep(50)
    run.child.kill('SIGTERM')
    const stopped = await run.done
    assert.equal(stopped.code, 8, stopped.stderr)
    const status = await project.json<
      StatusEnvelope & { result: { colours: Array<{ sha: string; role: string }> } }
    >(['status'])
    assert.equal(status.code, 0, JSON.stringify(status.envelope))
    assert.ok(
      status.envelope.warnings.some((w) =>
        new RegExp(
          `^the rollback of ${earlier.slice(0, 7)} at \\S+ went live on ${before} but did not finish \\(finalize: interrupted by SIGTERM\\): \`gwdeploy release --sha ${earlier}\` finishes it without moving traffic$`,
        ).test(w),
      ),
      JSON.stringify(status.envelope.warnings),
    )
    const finished = await project.run(['release', '--sha', earlier])
    assert.equal(finished.code, 0, finished.stderr)
    assert.equal(await servingColour(), before)
    const after = await project.json<
      StatusEnvelope & { result: { colours: Array<{ sha: string; role: string }> } }
    >(['status'])
    assert.deepEqual(after.envelope.warnings, [])
    const left = after.envelope.result.colours.find((c) => c.sha === sha(10 + round))
    assert.equal(left?.role, 'previous', 'the colour the rollback left is kept now')
  })

  it('a retire killed part-way (the idle colour out of the routes, its nodes not stopped): status names it; `retire` again finishes it', async () => {
    const live = await servingColour()
    const idle = live === 'blue' ? 'green' : 'blue'
    const idleSha = (await project.fleet(idle))?.sha as string
    assert.ok(idleSha, 'an idle colour to retire')
    const pids = (await project.fleet(idle))?.nodes.map((n) => n.pid) ?? []
    const killed = await project.run(['retire'], { GWDEPLOY_TEST_KILL_AT: 'decommission:withdrawn' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    const status = await project.json<StatusEnvelope>(['status'])
    assert.equal(status.code, 0, JSON.stringify(status.envelope))
    assert.ok(
      status.envelope.warnings.some((w) =>
        new RegExp(
          `^the retire started at \\S+ by .* did not finish \\(killed, stopped or failed part-way\\): ${idle} \\(${idleSha.slice(0, 7)}\\) is still there, its nodes may be half stopped; \`gwdeploy retire\` finishes it$`,
        ).test(w),
      ),
      JSON.stringify(status.envelope.warnings),
    )
    const again = await project.run(['retire'])
    assert.equal(again.code, 0, again.stderr)
    for (const pid of pids) assert.ok(!isAlive(pid), `idle node ${pid} still runs`)
    const clean = await project.json<StatusEnvelope>(['status'])
    assert.deepEqual(clean.envelope.warnings, [])
  })

  it('a retire stopped by SIGTERM part-way: exit 130, one envelope naming the half-stopped colour and `retire` to finish it', async () => {
    const released = await project.run(['release', '--sha', sha(31)])
    assert.equal(released.code, 0, released.stderr)
    const live = await servingColour()
    const idle = live === 'blue' ? 'green' : 'blue'
    const idleFleet = await project.fleet(idle)
    assert.ok(idleFleet, 'an idle colour to retire')
    const run = project.start(['retire', '--json'], { GWDEPLOY_TEST_PAUSE_AT: 'decommission:withdrawn' })
    let stderr = ''
    run.child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    for (let i = 0; i < 600 && !/paused at decommission:withdrawn/.test(stderr); i++) await sleep(50)
    run.child.kill('SIGTERM')
    const stopped = await run.done
    assert.equal(stopped.code, 130, stopped.stderr)
    const envelope = JSON.parse(stopped.stdout) as { error: { message: string; hint: string } }
    assert.equal(
      envelope.error.message,
      `interrupted by SIGTERM part-way through retire: ${idle} (${idleFleet.sha.slice(0, 7)}, 1 node(s)) may be half stopped; it gets no traffic`,
    )
    assert.equal(envelope.error.hint, '`gwdeploy retire` finishes it; `gwdeploy status` shows what is left.')
    const again = await project.run(['retire'])
    assert.equal(again.code, 0, again.stderr)
    for (const node of idleFleet.nodes) assert.ok(!isAlive(node.pid), `idle node ${node.pid} still runs`)
  })

  it('a destroy killed part-way (front proxy stopped, nodes not): status says which run stopped, what is left and both ways on', async () => {
    const live = await servingColour()
    const liveSha = (await project.fleet(live))?.sha as string
    const killed = await project.run(['destroy', '--force'], { GWDEPLOY_TEST_KILL_AT: 'destroy:router' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    const status = await project.json<StatusEnvelope & { error: { message: string; hint: string } }>([
      'status',
    ])
    assert.equal(status.code, 6, JSON.stringify(status.envelope))
    assert.match(status.envelope.error.message, /^nothing is served: the router is not running/)
    const ways = `\`gwdeploy destroy --force\` finishes it, or \`gwdeploy release --sha ${liveSha}\` serves ${liveSha.slice(0, 7)} again instead`
    assert.match(status.envelope.error.hint, /^A destroy started at \S+ did not finish: /)
    assert.ok(status.envelope.error.hint.endsWith(`: ${ways}.`), status.envelope.error.hint)
    assert.ok(
      status.envelope.warnings.some(
        (w) =>
          /^the destroy started at \S+ by .* did not finish \(killed, stopped or failed part-way\): /.test(
            w,
          ) && w.endsWith(`still there; ${ways}`),
      ),
      JSON.stringify(status.envelope.warnings),
    )
    const pids = [
      ...((await project.fleet('blue'))?.nodes ?? []),
      ...((await project.fleet('green'))?.nodes ?? []),
    ].map((n) => n.pid)
    const finished = await project.run(['destroy', '--force'])
    assert.equal(finished.code, 0, finished.stderr)
    for (const pid of pids) assert.ok(!isAlive(pid), `node ${pid} left by the killed destroy still runs`)
    const clean = await project.json<StatusEnvelope>(['status'])
    assert.equal(clean.code, 0, JSON.stringify(clean.envelope))
    assert.deepEqual(clean.envelope.warnings, [])
  })

  it('a destroy stopped by SIGTERM part-way: exit 130, one envelope saying what may be left and both ways on', async () => {
    const released = await project.run(['release', '--sha', sha(30)])
    assert.equal(released.code, 0, released.stderr)
    const run = project.start(['destroy', '--force', '--json'], { GWDEPLOY_TEST_PAUSE_AT: 'destroy:router' })
    let stderr = ''
    run.child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    for (let i = 0; i < 600 && !/paused at destroy:router/.test(stderr); i++) await sleep(50)
    run.child.kill('SIGTERM')
    const stopped = await run.done
    assert.equal(stopped.code, 130, stopped.stderr)
    const envelope = JSON.parse(stopped.stdout) as { error: { message: string; hint: string } }
    assert.match(
      envelope.error.message,
      /^interrupted by SIGTERM part-way through destroy: some of \w+ \(3030303, 1 node\(s\)\), router \(front proxy pid \d+\) may still be there$/,
    )
    assert.equal(
      envelope.error.hint,
      `\`gwdeploy status\` shows what is left; \`gwdeploy destroy --force\` finishes it, or \`gwdeploy release --sha ${sha(30)}\` serves 3030303 again instead.`,
    )
    const finished = await project.run(['destroy', '--force'])
    assert.equal(finished.code, 0, finished.stderr)
    assert.equal(await liveName(project.port), undefined)
  })
})
