/**
 * haproxy provider, `servers` mode, through the built CLI: real HAProxy (master-worker), gateway
 * nodes run outside gwdeploy (the runtime bundle as processes). gwdeploy only moves traffic.
 */
import assert from 'node:assert/strict'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'
import { releaseName, serversTarget } from '../helpers/servers-target.ts'
import {
  askName,
  type ExternalNode,
  type HaproxyInstance,
  haproxyConfig,
  startGatewayNode,
} from '../providers/haproxy/helpers.ts'

describe('haproxy provider, servers mode (CLI)', { concurrency: false }, () => {
  const target = serversTarget()
  let project: Project
  let lb: HaproxyInstance
  let nodes: ExternalNode[]
  const name = releaseName

  before(() => {
    ;({ project, lb, nodes } = target)
  })

  it('releases to blue, then green, rolls back, all through the map', async () => {
    const first = await project.json(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, JSON.stringify(first.envelope))
    assert.equal(await lb.green(), 0)
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(1) })
    const second = await project.json(['release', '--sha', sha(2)])
    assert.equal(second.code, 0, JSON.stringify(second.envelope))
    assert.equal(await lb.green(), 100)
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(2) })
    assert.match(await readFile(lb.mapFile, 'utf8'), /^blue 0\ngreen 100$/m)
    const back = await project.json(['rollback'])
    assert.equal(back.code, 0, JSON.stringify(back.envelope))
    assert.equal(await lb.green(), 0)
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(1) })
    assert.match(await readFile(lb.mapFile, 'utf8'), /^blue 100\ngreen 0$/m)
  })

  // gwdeploy rewrites the whole block at its next change of the backend: the edit went without a word.
  it('a server block edited by hand in haproxy.cfg: status names the file, backend and line that the next change drops', async () => {
    const clean = await project.json<{ result: { router: { detail: string } } }>(['status'])
    assert.equal(clean.code, 0, JSON.stringify(clean.envelope))
    assert.doesNotMatch(clean.envelope.result.router.detail, /EDITED/, 'the blocks as gwdeploy wrote them')
    const saved = await readFile(lb.configFile, 'utf8')
    await writeFile(lb.configFile, saved.replace(/^(\s*server blue1 [^\n]*)$/m, '$1 maxconn 50'))
    try {
      const status = await project.run(['status'])
      assert.equal(status.code, 0, status.stderr)
      assert.match(
        status.stdout,
        /; EDITED BY HAND: lb1 \S+haproxy\.cfg backend be_blue \(its next change drops the edit\)\)/,
      )
      // status says it as a warning too (its --json envelope carried none), once.
      const shown = await project.json<{ warnings: string[] }>(['status'])
      assert.equal(shown.code, 0, JSON.stringify(shown.envelope))
      assert.equal(
        shown.envelope.warnings.filter((w) => /the gwdeploy server block was edited by hand/.test(w)).length,
        1,
        JSON.stringify(shown.envelope.warnings),
      )
      // A command that changes the target says what it will drop, and the way out.
      const plan = await project.json<{ warnings: string[] }>(['release', '--sha', sha(1), '--dry-run'])
      assert.equal(plan.code, 0, JSON.stringify(plan.envelope))
      const edited = plan.envelope.warnings.filter((w) => /edited by hand/.test(w))
      assert.equal(edited.length, 1, 'be_green untouched; said once')
      assert.match(
        edited[0] ?? '',
        /^HAProxy lb1: \S+haproxy\.cfg \(backend be_blue\): the gwdeploy server block was edited by hand: "server blue1 127\.0\.0\.1:\d+ [^"]* maxconn 50" \(gwdeploy writes "server blue1 127\.0\.0\.1:\d+ [^"]*"\)\. gwdeploy rewrites the whole block/,
      )
      assert.match(edited[0] ?? '', /provider\.haproxy\.serverOptions/)
    } finally {
      await writeFile(lb.configFile, saved)
    }
  })

  // HAProxy reads the map file when it reloads: a hand edit there moved traffic at the next reload.
  it('a map file edited by hand to another split: status and every changing command say a reload would apply it', async () => {
    const saved = await readFile(lb.mapFile, 'utf8')
    assert.match(saved, /^blue 100\ngreen 0$/m)
    await writeFile(lb.mapFile, saved.replace(/^blue 100\ngreen 0$/m, 'blue 0\ngreen 100'))
    try {
      const status = await project.run(['status'])
      assert.equal(status.code, 0, status.stderr)
      assert.match(
        status.stdout,
        /\(HAProxy lb1: blue 100% \/ green 0%; EDITED BY HAND: lb1 map file says blue 0% \/ green 100%\)/,
      )
      const plan = await project.json<{ warnings: string[] }>(['release', '--sha', sha(1), '--dry-run'])
      assert.equal(plan.code, 0, JSON.stringify(plan.envelope))
      assert.ok(
        plan.envelope.warnings.some((w) =>
          /^HAProxy lb1: \S+gwdeploy\.map says blue 0% \/ green 100%, but HAProxy runs blue 100% \/ green 0%: the next reload of HAProxy applies the file .*`blue 100`, `green 0`/.test(
            w,
          ),
        ),
        JSON.stringify(plan.envelope.warnings),
      )
      assert.equal(await lb.green(), 0, 'nothing moved')
    } finally {
      await writeFile(lb.mapFile, saved)
    }
  })

  it('the fleet record lost while blue serves: a release whose gate fails leaves no record claiming blue runs it', async () => {
    const stateFile = join(project.dir, '.gwdeploy/haproxy/gwdeploy-e2e.json')
    const configFile = join(project.dir, 'gwdeploy.yml')
    const saved = await readFile(stateFile, 'utf8')
    const yml = await readFile(configFile, 'utf8')
    const servers = {
      blue: [nodes[0]?.address ?? '', nodes[1]?.address ?? ''],
      green: [nodes[2]?.address ?? '', nodes[3]?.address ?? ''],
    }
    await writeFile(
      configFile,
      stringify(haproxyConfig({ instances: [lb], servers, health: { deadline: '3s' } })),
    )
    try {
      assert.equal(await lb.green(), 0)
      await rm(stateFile)
      const status = await project.json<{ result: { router: { detail: string } }; warnings: string[] }>([
        'status',
      ])
      assert.equal(status.code, 0, JSON.stringify(status.envelope))
      assert.match(status.envelope.result.router.detail, /UNRECORDED: lb1 sends blue 100% of requests/)
      assert.ok(
        status.envelope.warnings.some((w) => /lb1 sends blue 100% of requests/.test(w)),
        JSON.stringify(status.envelope.warnings),
      )

      // blue's servers answer sha 1: gwdeploy plans sha 2 onto them (it knows of no serving colour).
      const failed = await project.run(['release', '--sha', sha(2)])
      assert.equal(failed.code, 4, failed.stderr)
      assert.match(failed.stderr, /the blue record this run wrote \(0202020\) was removed again/)
      assert.equal(await lb.green(), 0)
      assert.deepEqual(await askName(lb.port), { status: 200, name: name(1) })
      const again = await project.run(['release', '--sha', sha(2)])
      assert.equal(again.code, 4, `${again.stdout}\n${again.stderr}`)
      assert.doesNotMatch(again.stdout, /already live/)

      // Releasing what blue's servers do run records it again.
      const adopt = await project.run(['release', '--sha', sha(1)])
      assert.equal(adopt.code, 0, adopt.stderr)
      const after = await project.json<{ result: { router: { detail: string } } }>(['status'])
      assert.doesNotMatch(after.envelope.result.router.detail, /UNRECORDED/)
      assert.equal(JSON.parse(await readFile(stateFile, 'utf8')).fleets.blue.sha, sha(1))
    } finally {
      await writeFile(configFile, yml)
      await writeFile(stateFile, saved)
    }
  })

  it('a second target configured with the same backends is refused (exit 2): the first keeps its traffic and servers', async () => {
    const other = await makeProject()
    const otherNodes: ExternalNode[] = []
    try {
      for (let i = 0; i < 4; i++)
        otherNodes.push(await startGatewayNode(`other rev-${sha(1).slice(0, 7)}`, other.dir))
      const addresses = otherNodes.map((node) => node.address)
      const config = haproxyConfig({
        service: 'other',
        instances: [lb],
        servers: { blue: addresses.slice(0, 2), green: addresses.slice(2) },
      })
      await writeFile(join(other.dir, 'gwdeploy.yml'), stringify(config))
      const mapBefore = await readFile(lb.mapFile, 'utf8')
      const cfgBefore = await readFile(lb.configFile, 'utf8')
      const greenBefore = await lb.green()
      const servingBefore = await askName(lb.port)
      assert.match(cfgBefore, /managed by gwdeploy for target "e2e"/)
      assert.match(mapBefore, /^# gwdeploy target: e2e$/m)

      const release = await other.run(['release', '--sha', sha(1)])
      assert.equal(release.code, 2, release.stderr)
      assert.match(release.stderr, /another gwdeploy target \("e2e"\)/)
      assert.match(
        release.stderr,
        /backend be_blue \(provider\.haproxy\.backends\.blue\) is managed by gwdeploy for target "e2e"/,
      )
      assert.match(release.stderr, /haproxy\.cfg:\d+/)
      const status = await other.json(['status'])
      assert.equal(status.code, 2, JSON.stringify(status.envelope))
      assert.equal((status.envelope.error as { code?: string }).code, 'config')

      assert.equal(await readFile(lb.mapFile, 'utf8'), mapBefore)
      assert.equal(await readFile(lb.configFile, 'utf8'), cfgBefore)
      assert.equal(await lb.green(), greenBefore)
      assert.deepEqual(await askName(lb.port), servingBefore)
      const servers = await lb.command('show servers state be_blue')
      for (const node of otherNodes)
        assert.doesNotMatch(servers, new RegExp(node.address.split(':')[1] ?? 'x'))
      const own = await project.json(['status'])
      assert.equal(own.code, 0, JSON.stringify(own.envelope))
    } finally {
      for (const node of otherNodes) await node.stop()
      await other.cleanup()
    }
  })

  it('a haproxy.cfg that haproxy -c refuses as it is on disk: rollback changes nothing, live or on disk, and names the file and line', async () => {
    const forward = await project.json(['release', '--sha', sha(2)])
    assert.equal(forward.code, 0, JSON.stringify(forward.envelope))
    const cfgBefore = await readFile(lb.configFile, 'utf8')
    const mapBefore = await readFile(lb.mapFile, 'utf8')
    const greenBefore = await lb.green()
    assert.equal(greenBefore, 100)
    const broken = cfgBefore.replace('\ndefaults\n', '\ndefaults\n    tiemout server 5s\n')
    assert.notEqual(broken, cfgBefore)
    const line = broken.split('\n').indexOf('    tiemout server 5s') + 1
    await writeFile(lb.configFile, broken)
    try {
      const result = await project.json(['rollback'])
      assert.equal(result.code, 6, JSON.stringify(result.envelope))
      const error = result.envelope.error as { message: string; hint: string }
      assert.match(error.message, new RegExp(`${lb.configFile.replaceAll('.', '\\.')} as it is on disk`))
      assert.match(error.message, new RegExp(`haproxy\\.cfg:${line}\\b`))
      assert.doesNotMatch(`${error.message} ${error.hint}`, /gwdeploy-check\.tmp|COULD NOT put back|disagree/)
      assert.match(error.hint, /Nothing was changed on lb1/)
      assert.equal(await lb.green(), greenBefore)
      assert.equal(await readFile(lb.mapFile, 'utf8'), mapBefore)
      assert.equal(await readFile(lb.configFile, 'utf8'), broken)
    } finally {
      await writeFile(lb.configFile, cfgBefore)
    }
    const again = await project.json(['rollback'])
    assert.equal(again.code, 0, JSON.stringify(again.envelope))
    assert.equal(await lb.green(), 0)
  })

  it('release --dry-run prints what each instance would get and changes nothing', async () => {
    const mapBefore = await readFile(lb.mapFile, 'utf8')
    const cfgBefore = await readFile(lb.configFile, 'utf8')
    const result = await project.run(['release', '--sha', sha(2), '--dry-run'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /dry run: nothing was changed/)
    assert.match(result.stdout, /server green1 /)
    // Nothing of gwdeploy's runs in servers mode: no fleet.size nodes are provisioned.
    assert.match(result.stdout, /- place green's servers \(run outside gwdeploy\) into its slots\n/)
    assert.doesNotMatch(result.stdout, /provision/)
    assert.equal(await readFile(lb.mapFile, 'utf8'), mapBefore)
    assert.equal(await readFile(lb.configFile, 'utf8'), cfgBefore)
    assert.equal(await lb.green(), 0)
  })

  it('smoke checks run against every green node (no preview route): a failing one is exit 4, traffic untouched', async () => {
    const config = haproxyConfig({
      instances: [lb],
      servers: {
        blue: [nodes[0]?.address ?? '', nodes[1]?.address ?? ''],
        green: [nodes[2]?.address ?? '', nodes[3]?.address ?? ''],
      },
    })
    const write = (smoke: unknown[]) =>
      writeFile(join(project.dir, 'gwdeploy.yml'), stringify({ ...config, smoke }))
    await write([{ name: 'missing route', path: '/no-such-endpoint' }])
    const failed = await project.run(['release', '--sha', sha(2)])
    assert.equal(failed.code, 4, failed.stderr)
    assert.match(failed.stderr, /smoke "missing route" on /)
    assert.equal(await lb.green(), 0)
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(1) })

    await write([{ name: 'health names the release', path: '/__health', bodyContains: name(2) }])
    const passed = await project.run(['release', '--sha', sha(2)])
    assert.equal(passed.code, 0, passed.stderr)
    assert.match(passed.stderr, /2 smoke check\(s\)|smoke check\(s\) via/)
    assert.equal(await lb.green(), 100)
  })

  it("the kept colour's servers all stopped: status says NO LIVE NODE and to start them; rollback is exit 4 at once and keeps blue, then switches once they answer", async () => {
    // The previous test leaves green (2) live and blue (1) kept for rollback.
    assert.equal(await lb.green(), 100)
    const stopped = [0, 1].map((i) => nodes[i]?.address ?? '')
    for (const i of [0, 1]) await nodes[i]?.stop()
    const status = await project.json<{
      result: {
        colours: Array<{ colour: string; role: string; noLiveNode?: boolean }>
        rollback: { how: string; colour?: string; sha: string }
      }
      warnings: string[]
    }>(['status'])
    assert.equal(status.code, 0, JSON.stringify(status.envelope))
    const blue = status.envelope.result.colours.find((c) => c.colour === 'blue')
    assert.equal(blue?.role, 'previous')
    assert.equal(blue?.noLiveNode, true)
    assert.deepEqual(status.envelope.result.rollback, { sha: sha(1), how: 'outside', colour: 'blue' })
    assert.ok(
      status.envelope.warnings.some((w) =>
        /^blue \(0101010\) is kept for rollback until \S+, but none of its 2 node\(s\) is live .*: its servers run outside gwdeploy, which cannot start them: start them again \(running 0101010\), then `gwdeploy rollback` switches all traffic to blue/.test(
          w,
        ),
      ),
      JSON.stringify(status.envelope.warnings),
    )
    const text = await project.run(['status'])
    assert.match(text.stdout, /^rollback: switches to blue \(0101010\) once its servers answer again/m)

    const back = await project.json<{ error: { message: string; hint: string } }>(['rollback'])
    assert.equal(back.code, 4, JSON.stringify(back.envelope))
    assert.match(
      back.envelope.error.message,
      /^blue \(0101010\) is not healthy \(.+\), and its servers run outside gwdeploy/,
    )
    for (const address of stopped)
      assert.ok(back.envelope.error.hint.includes(address), back.envelope.error.hint)
    assert.match(
      back.envelope.error.hint,
      /then run `gwdeploy rollback` again: it switches to them\. Traffic was not touched/,
    )
    assert.equal(await lb.green(), 100)
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(2) })
    const kept = await project.json<{ result: { colours: Array<{ colour: string; role: string }> } }>([
      'status',
    ])
    assert.equal(
      kept.envelope.result.colours.find((c) => c.colour === 'blue')?.role,
      'previous',
      'blue not torn down',
    )

    for (const i of [0, 1])
      nodes[i] = await startGatewayNode(name(1), project.dir, Number(stopped[i]?.split(':')[1]))
    const again = await project.json(['rollback'])
    assert.equal(again.code, 0, JSON.stringify(again.envelope))
    assert.equal(await lb.green(), 0)
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(1) })

    // The colour that rollback left (kept to go forward again) dies too: not "redeploys", start them.
    for (const i of [2, 3]) await nodes[i]?.stop()
    const left = await project.json<{ warnings: string[] }>(['status'])
    assert.ok(
      left.envelope.warnings.some((w) =>
        new RegExp(
          `^green \\(0202020\\) is kept \\(left by the rollback at \\S+\\) until \\S+, but none of its 2 node\\(s\\) is live .*: it is no instant switch any more — its servers run outside gwdeploy, which cannot start them: start them again \\(running 0202020\\), then \`gwdeploy rollback --to ${sha(2)}\` switches to it, \`gwdeploy retire\` removes it$`,
        ).test(w),
      ),
      JSON.stringify(left.envelope.warnings),
    )
  })

  it('a destroy killed before its record: rollback is exit 2 naming it, nothing routed; destroy --force finishes it', async () => {
    const killed = await project.run(['destroy', '--force'], { GWDEPLOY_TEST_KILL_AT: 'destroy:record' })
    assert.equal(killed.signal, 'SIGKILL', killed.stderr)
    const back = await project.json<{ error: { message: string; hint: string } }>(['rollback'])
    assert.equal(back.code, 2, JSON.stringify(back.envelope))
    assert.match(
      back.envelope.error.message,
      /^there is nothing to roll back from: the destroy started at \S+ by .* did not finish \(killed, stopped or failed part-way\): no colour is left/,
    )
    assert.match(
      back.envelope.error.hint,
      /^`gwdeploy destroy --force` finishes it, or `gwdeploy release --sha /,
    )
    assert.match(await readFile(lb.mapFile, 'utf8'), /^blue 0\ngreen 0$/m)
  })

  it('after destroy, rollback is exit 2: nothing is deployed (not the release before the last live one)', async () => {
    // HAProxy is the operator's: the destroy says (and records) that only gwdeploy's routing in it is emptied.
    const destroyed = await project.run(['destroy', '--force'])
    assert.equal(destroyed.code, 0, destroyed.stderr)
    const emptied =
      /^gwdeploy's routing in HAProxy emptied \(its blue and green server blocks and weights; HAProxy itself keeps running\) \(HAProxy .*\)$/
    assert.match(destroyed.stdout.trim(), emptied)
    assert.doesNotMatch(destroyed.stdout, /router \(/)
    const history = await project.json<{ result: { operation: string; status: string; done?: string[] }[] }>([
      'history',
    ])
    const record = history.envelope.result.find((r) => r.operation === 'destroy' && r.status === 'destroyed')
    assert.match(record?.done?.join('; ') ?? '', emptied)
    const again = await project.run(['destroy', '--force'])
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /^nothing to destroy: the target was destroyed at /m)
    const back = await project.json<{ error: { message: string; hint: string } }>(['rollback'])
    assert.equal(back.code, 2, JSON.stringify(back.envelope))
    assert.match(
      back.envelope.error.message,
      /nothing is deployed, the target was destroyed at .* \(0101010 was live before\)$/,
    )
    assert.match(
      back.envelope.error.hint,
      new RegExp(`^\`gwdeploy rollback --to ${sha(1)}\` brings back 0101010`),
    )
    assert.match(await readFile(lb.mapFile, 'utf8'), /^blue 0\ngreen 0$/m)
  })
})
