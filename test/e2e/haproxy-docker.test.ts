/**
 * haproxy provider with a Docker host, through the built CLI: images built and pushed by the
 * engine to the test registry, containers on the test dockerd published on 127.0.0.1, a real
 * HAProxy 2.6 (master-worker) in front. Release, weighted steps with a reload mid-release,
 * a reload after the switch, rollback, status, lock contention and a failing health gate.
 */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type Dockerode from 'dockerode'
import { stringify } from 'yaml'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'
import { removeTargetContainers, targetContainers, testDocker, uniqueName } from '../helpers/docker.ts'
import { requireBaseImage, requireDocker, requireRegistry } from '../helpers/services.ts'
import {
  askName,
  type HaproxyInstance,
  type HaproxyProjectOptions,
  haproxyConfig,
  startHaproxy,
} from '../providers/haproxy/helpers.ts'

describe('haproxy provider on a Docker host (CLI)', { concurrency: false }, () => {
  let project: Project
  let lb: HaproxyInstance
  let docker: Dockerode
  let base: HaproxyProjectOptions
  const target = uniqueName('e2e')
  const name = (n: number) => `${target} rev-${sha(n).slice(0, 7)}`

  const writeConfig = (extra: Partial<HaproxyProjectOptions> = {}) =>
    writeFile(join(project.dir, 'gwdeploy.yml'), stringify(haproxyConfig({ ...base, ...extra })))
  const containers = (colour?: string) => targetContainers(docker, target, colour)

  before(async () => {
    const { host } = await requireDocker()
    docker = (await testDocker()).docker
    project = await makeProject()
    lb = await startHaproxy()
    base = {
      service: target,
      instances: [lb],
      dockerHost: host,
      repository: `${(await requireRegistry()).host}/gwdeploy-test/${uniqueName('hap')}`,
      baseImage: await requireBaseImage(),
      size: 2,
    }
    await writeConfig()
  })
  after(async () => {
    await project?.cleanup()
    await removeTargetContainers(docker, target)
    await lb?.stop()
  })

  it('releases blue: labelled containers from the image digest, HAProxy serves them', async () => {
    const first = await project.json(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, JSON.stringify(first.envelope))
    const blue = await containers('blue')
    assert.equal(blue.length, 2)
    for (const info of blue) {
      assert.equal(info.Labels['gwdeploy.sha'], sha(1))
      assert.equal(info.Labels['gwdeploy.config.name'], name(1))
      assert.match(info.Labels['gwdeploy.release'] ?? '', /^[0-9a-f]{7}-[0-9a-f]{12}$/)
      assert.match(info.Image, /@sha256:[0-9a-f]{64}$/)
      assert.equal(info.Ports[0]?.IP, '127.0.0.1')
      const inspected = await docker.getContainer(info.Id).inspect()
      assert.equal(inspected.HostConfig.RestartPolicy?.Name, 'unless-stopped')
    }
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(1) })
    const cfg = await readFile(lb.configFile, 'utf8')
    const ports = blue.map((info) => String(info.Ports[0]?.PublicPort)).sort()
    for (const port of ports) assert.match(cfg, new RegExp(`server blue\\d+ 127\\.0\\.0\\.1:${port} `))
  })

  it('shifts in weighted steps; a reload mid-release and after the switch keeps the split', async () => {
    const paused = startWatched(project, ['release', '--sha', sha(2), '--steps', '50,100'], {
      GWDEPLOY_TEST_PAUSE_AT: 'shift:50',
    })
    await waitFor(() => /paused at shift:50/.test(paused.stderr()), 120_000)
    assert.equal(await lb.green(), 50)
    await lb.reload()
    assert.equal(await lb.green(), 50, 'the map file kept green 50 across the reload')
    const seen = new Set<string | undefined>()
    for (let i = 0; i < 60; i++) seen.add((await askName(lb.port)).name)
    assert.deepEqual([...seen].sort(), [name(1), name(2)].sort(), 'both colours answer at 50%')
    paused.child.kill('SIGTERM')
    assert.equal((await paused.done).code, 130)
    const resumed = await project.json(['release', '--sha', sha(2), '--steps', '50,100'])
    assert.equal(resumed.code, 0, JSON.stringify(resumed.envelope))
    assert.equal(await lb.green(), 100)
    await lb.reload()
    assert.equal(await lb.green(), 100)
    for (let i = 0; i < 10; i++) assert.deepEqual(await askName(lb.port), { status: 200, name: name(2) })
    const status = await project.json<{
      result: { weights: Record<string, number>; router: { detail: string } }
    }>(['status'])
    assert.deepEqual(status.envelope.result.weights, { blue: 0, green: 100 })
    assert.match(status.envelope.result.router.detail, /lb1: blue 0% \/ green 100%/)
  })

  it('rolls back to blue with one map change', async () => {
    const back = await project.json<{ result: { status: string } }>(['rollback'])
    assert.equal(back.code, 0, JSON.stringify(back.envelope))
    assert.equal(back.envelope.result.status, 'switched')
    assert.equal(await lb.green(), 0)
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(1) })
  })

  it('a second instance that cannot be reached: logs still reads the nodes, status shows what lb1 says', async () => {
    const config = haproxyConfig(base) as { provider: { haproxy: { instances: object[] } } }
    config.provider.haproxy.instances.push({
      ...config.provider.haproxy.instances[0],
      name: 'lb2',
      socket: join(project.dir, 'gone.sock'),
    })
    await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
    try {
      const logs = await project.run(['logs', '--colour', 'live', '-n', '5'])
      assert.equal(logs.code, 0, logs.stderr)
      assert.match(logs.stdout, /^\[blue \S+-blue-\d+-\d\] /m, "the live nodes' lines")
      assert.match(logs.stderr, /HAProxy lb2: runtime API at .*gone\.sock is not reachable/)
      const status = await project.run(['status'])
      assert.equal(status.code, 6, status.stderr)
      assert.match(status.stdout, /\(HAProxy lb1: blue 100% \/ green 0%; UNREACHABLE: lb2\)/)
      assert.match(status.stdout, /blue \[live 100%\] /)
      // Changing the target still needs every instance: refused, nothing switched on lb1.
      const release = await project.json(['release', '--sha', sha(2)])
      assert.equal(release.code, 6, JSON.stringify(release.envelope))
      assert.equal(await lb.green(), 0)
    } finally {
      await writeConfig()
    }
  })

  it('holds the lock against a second run and shows holder, SHA and expiry', async () => {
    const holder = startWatched(project, ['release', '--sha', sha(3)], { GWDEPLOY_TEST_PAUSE_AT: 'plan' })
    await waitFor(() => /paused at plan/.test(holder.stderr()), 120_000)
    const second = await project.json<{ error: { exitCode: number; message: string } }>([
      'release',
      '--sha',
      sha(4),
    ])
    assert.equal(second.code, 3)
    assert.match(second.envelope.error.message, /held by .*release 0303030/)
    const lock = await project.json<{ result: { lock: { sha: string; expiresAt: string; holder: string } } }>(
      ['lock', 'status'],
    )
    assert.equal(lock.envelope.result.lock.sha, sha(3))
    assert.ok(Date.parse(lock.envelope.result.lock.expiresAt) > Date.now())
    holder.child.kill('SIGTERM')
    await holder.done
  })

  it('a green node that dies fails the gate: exit 4, its log shown, traffic untouched, green removed', async () => {
    await writeConfig({ health: { rise: 8 } })
    const run = project.start(['release', '--sha', sha(5), '--json'])
    let killed = false
    const killer = (async () => {
      for (let i = 0; i < 1200 && !killed; i++) {
        for (const info of await containers('green')) {
          if (info.Labels['gwdeploy.sha'] === sha(5) && info.State === 'running') {
            await docker.getContainer(info.Id).kill()
            killed = true
          }
        }
        await new Promise((r) => setTimeout(r, 50))
      }
    })()
    const result = await run.done
    await killer
    assert.ok(killed, 'a green container was killed')
    assert.equal(result.code, 4, result.stdout)
    const envelope = JSON.parse(result.stdout) as { error: { message: string; hint: string } }
    assert.match(envelope.error.message, /health gate/)
    assert.match(
      envelope.error.hint,
      new RegExp(`last log lines of gwdeploy-${target}-[0-9a-f]{8}-green-0505050`),
    )
    assert.equal(await lb.green(), 0)
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(1) })
    assert.deepEqual(await containers('green'), [], 'the failed green fleet was torn down')
    await writeConfig()
  })

  it('a fleet larger than the backend slots is refused before any container starts (exit 6)', async () => {
    await writeConfig({ size: 11 })
    try {
      const before = (await containers()).map((info) => info.Id).sort()
      const failed = await project.run(['release', '--sha', sha(2)])
      assert.equal(failed.code, 6, failed.stderr)
      assert.match(
        failed.stderr,
        /HAProxy lb1: backend be_green has 10 slot server\(s\), the green fleet needs 11 \(nothing was started\)/,
      )
      assert.match(failed.stderr, /Lower fleet\.size to 10, or give both backends 11 slots/)
      assert.doesNotMatch(failed.stderr, /starting \d+ container/)
      assert.deepEqual((await containers()).map((info) => info.Id).sort(), before)
      assert.deepEqual(await askName(lb.port), { status: 200, name: name(1) })
    } finally {
      await writeConfig()
    }
  })

  it('the live containers removed by hand: status is exit 6, nothing is served, naming the way out; that way out serves again', async () => {
    for (const info of await containers('blue')) await docker.getContainer(info.Id).remove({ force: true })
    const status = await project.json<{ error: { message: string; hint: string } }>(['status'])
    assert.equal(status.code, 6, JSON.stringify(status.envelope))
    assert.equal(
      status.envelope.error.message,
      'nothing is served: blue gets 100% of requests, but no container of this target runs for blue on the Docker host(s) (removed outside gwdeploy): its HAProxy servers answer nothing',
    )
    assert.match(
      status.envelope.error.hint,
      new RegExp(`\`gwdeploy release --sha ${sha(1)}\` brings 0101010 back`),
    )
    // Waiting cannot serve it either: the same error at the first poll, not 4 or 7.
    const wait = await project.json<{ error: { message: string } }>([
      'status',
      '--wait-for',
      'live',
      '--timeout',
      '1m',
    ])
    assert.equal(wait.code, 6, JSON.stringify(wait.envelope))
    assert.match(
      wait.envelope.error.message,
      /^nothing is served, waiting for live cannot help: blue gets 100%/,
    )
    const repair = await project.run(['release', '--sha', sha(1)])
    assert.equal(repair.code, 0, repair.stderr)
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(1) })
    const again = await project.run(['status'])
    assert.equal(again.code, 0, again.stderr)
  })

  it("the kept colour's containers removed by hand: status says rollback now redeploys it, not a switch", async () => {
    const released = await project.run(['release', '--sha', sha(2)])
    assert.equal(released.code, 0, released.stderr)
    const before = await project.json<{ result: { colours: Array<{ colour: string; role: string }> } }>([
      'status',
    ])
    const kept = before.envelope.result.colours.find((c) => c.role === 'previous')?.colour ?? ''
    assert.ok(kept, JSON.stringify(before.envelope))
    for (const info of await containers(kept)) await docker.getContainer(info.Id).remove({ force: true })
    const status = await project.json<{ result: { rollback: unknown }; warnings: string[] }>(['status'])
    assert.equal(status.code, 0, JSON.stringify(status.envelope))
    assert.deepEqual(status.envelope.result.rollback, { sha: sha(1), how: 'redeploy' })
    // Its keep-until went with its containers: the record's time + shift.keep (30m).
    const history = await project.json<{ result: Array<{ time: string }> }>(['history'])
    const until = new Date(Date.parse(history.envelope.result[0]?.time ?? '') + 30 * 60_000).toISOString()
    assert.ok(
      status.envelope.warnings.includes(
        `${kept} (0101010) is kept for rollback until ${until}, but no ${kept} node runs it any more (removed outside gwdeploy): \`gwdeploy rollback\` redeploys 0101010 as recorded (a new deploy, not an instant switch)`,
      ),
      JSON.stringify(status.envelope.warnings),
    )
  })

  it('that redeploy failing its health gate: exit 4, traffic stays as found on the live colour; fixed, the re-run goes back', async () => {
    const live = (await project.json<{ result: { serving: string } }>(['status'])).envelope.result.serving
    const liveIds = (await containers(live)).map((info) => info.Id).sort()
    // A health path no node answers 200 on: the redeployed containers run and fail the gate for real.
    await writeConfig({ health: { path: '/__not-health', deadline: '4s' } })
    try {
      const failed = await project.json<{ error: { message: string; hint: string } }>(['rollback'])
      assert.equal(failed.code, 4, JSON.stringify(failed.envelope))
      assert.match(failed.envelope.error.message, /failed its health gate: .*GET \/__not-health answered 404/)
      assert.match(failed.envelope.error.hint, /^Traffic was not touched\./)
    } finally {
      await writeConfig()
    }
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(2) })
    assert.equal(await lb.green(), live === 'green' ? 100 : 0)
    assert.deepEqual(
      (await containers(live)).map((info) => info.Id).sort(),
      liveIds,
      'the live colour untouched',
    )

    const back = await project.json<{ result: { status: string } }>(['rollback'])
    assert.equal(back.code, 0, JSON.stringify(back.envelope))
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(1) })
  })

  it('the colour that rollback left, its containers stopped: status says it has no live node and the way out', async () => {
    const before = await project.json<{
      result: { colours: Array<{ colour: string; role: string; sha: string }> }
    }>(['status'])
    const left = before.envelope.result.colours.find((c) => c.role === 'previous')
    assert.equal(left?.sha, sha(2), JSON.stringify(before.envelope.result.colours))
    for (const info of await containers(left.colour)) await docker.getContainer(info.Id).stop({ t: 0 })
    const status = await project.json<{
      result: { colours: Array<{ colour: string; noLiveNode?: boolean; keepUntil?: string }> }
      warnings: string[]
    }>(['status'])
    assert.equal(status.code, 0, JSON.stringify(status.envelope))
    const dead = status.envelope.result.colours.find((c) => c.colour === left.colour)
    assert.equal(dead?.noLiveNode, true, JSON.stringify(status.envelope.result.colours))
    const warning = status.envelope.warnings.find((w) =>
      w.startsWith(`${left.colour} (0202020) is kept (left by the rollback at `),
    )
    assert.match(
      warning ?? '',
      new RegExp(
        `until ${dead?.keepUntil?.replace(/\./g, '\\.')}, but none of its 2 node\\(s\\) is left \\(\\S+: container exited \\(exit \\d+\\): stopped outside gwdeploy or crashed.*: it is no instant switch any more — \`gwdeploy rollback --to ${sha(2)}\` redeploys 0202020 as recorded \\(a new deploy\\), \`gwdeploy retire\` removes it$`,
      ),
      JSON.stringify(status.envelope.warnings),
    )
    const text = await project.run(['status'])
    assert.match(
      text.stdout,
      new RegExp(
        `${left.colour} \\[previous 0%\\] 0202020 "${target} rev-0202020", kept until \\S+, NO LIVE NODE\\n`,
      ),
    )
  })

  it("the kept colour's containers hung (paused): status says rollback redeploys it; rollback replaces them and goes live", async () => {
    const released = await project.run(['release', '--sha', sha(3)])
    assert.equal(released.code, 0, released.stderr)
    const before = await project.json<{
      result: { colours: Array<{ colour: string; role: string; sha: string }> }
    }>(['status'])
    const kept = before.envelope.result.colours.find((c) => c.role === 'previous')
    assert.equal(kept?.sha, sha(1), JSON.stringify(before.envelope.result.colours))
    const hung = (await containers(kept.colour)).map((info) => info.Id)
    for (const id of hung) await docker.getContainer(id).pause()
    const status = await project.json<{ result: { rollback: unknown }; warnings: string[] }>(['status'])
    assert.equal(status.code, 0, JSON.stringify(status.envelope))
    assert.deepEqual(status.envelope.result.rollback, { sha: sha(1), how: 'redeploy' })
    assert.ok(
      status.envelope.warnings.some(
        (w) =>
          w.startsWith(`${kept.colour} (0101010) is kept for rollback until `) &&
          w.includes(', but none of its 2 node(s) is live (') &&
          w.endsWith(
            '`gwdeploy rollback` redeploys 0101010 as recorded (a new deploy, not an instant switch)',
          ),
      ),
      JSON.stringify(status.envelope.warnings),
    )
    const back = await project.run(['rollback'])
    assert.equal(back.code, 0, back.stderr)
    assert.match(
      back.stderr,
      new RegExp(`${kept.colour} \\(0101010\\) failed its check: its 2 node\\(s\\) are replaced, not reused`),
    )
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(1) })
    const now = (await containers(kept.colour)).map((info) => info.Id)
    assert.ok(
      now.length === 2 && now.every((id) => !hung.includes(id)),
      'the paused containers were replaced',
    )
  })
})

/** A CLI run in the background whose stderr can be read while it runs. */
function startWatched(project: Project, args: string[], env: NodeJS.ProcessEnv) {
  const run = project.start(args, env)
  let stderr = ''
  run.child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  return { ...run, stderr: () => stderr }
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 100))
  }
}
