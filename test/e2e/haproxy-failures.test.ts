/**
 * haproxy provider failure cases through the CLI (servers mode: nodes run outside gwdeploy,
 * so no image build): an HA pair where one instance fails mid-switch (all put back), and bad
 * input — unreachable socket, wrong backend name, a haproxy.cfg without the map rule, a
 * Docker host that is down — each a clear exit-6 error with nothing changed.
 */
import assert from 'node:assert/strict'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'
import {
  askName,
  type ExternalNode,
  type HaproxyInstance,
  type HaproxyProjectOptions,
  haproxyConfig,
  startGatewayNode,
  startHaproxy,
} from '../providers/haproxy/helpers.ts'

type Failure = {
  code: number | null
  envelope: { error: { message: string; hint?: string; problems?: Array<{ message: string }> } }
}

/** The generated gwdeploy.yml as a loosely typed document the tests edit. */
type ConfigDoc = {
  image?: unknown
  provider: { haproxy: Record<string, unknown> & { instances: Array<{ socket: string }> } }
}

const name = (n: number) => `e2e rev-${sha(n).slice(0, 7)}`

describe('haproxy provider failures (CLI, servers mode)', { concurrency: false }, () => {
  let project: Project
  let lb1: HaproxyInstance
  let lb2: HaproxyInstance
  const nodes: ExternalNode[] = []
  let servers: { blue: string[]; green: string[] }

  const writeConfig = (options: Partial<HaproxyProjectOptions>, edit?: (c: ConfigDoc) => void) => {
    const config = haproxyConfig({ instances: [lb1, lb2], servers, ...options }) as unknown as ConfigDoc
    edit?.(config)
    return writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
  }

  before(async () => {
    project = await makeProject()
    lb1 = await startHaproxy({ name: 'lb1' })
    lb2 = await startHaproxy({ name: 'lb2' })
    for (const n of [1, 2]) nodes.push(await startGatewayNode(name(n), project.dir))
    servers = { blue: [nodes[0]?.address ?? ''], green: [nodes[1]?.address ?? ''] }
    await writeConfig({})
    const first = await project.json(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, JSON.stringify(first.envelope))
  })
  after(async () => {
    await writeConfig({})
    await project?.cleanup()
    for (const node of nodes) await node.stop()
    await lb1?.stop()
    await lb2?.stop()
  })

  it('an HA pair switches together, and when lb2 fails mid-switch lb1 is put back', async () => {
    assert.deepEqual([await lb1.green(), await lb2.green()], [0, 0])
    assert.deepEqual(await askName(lb2.port), { status: 200, name: name(1) })
    // lb2 cannot write its map file: its runtime switch succeeds, its durable write fails.
    const blocker = `${lb2.mapFile}.gwdeploy.tmp`
    await mkdir(blocker)
    const failed = (await project.json(['release', '--sha', sha(2)])) as Failure
    await rm(blocker, { recursive: true })
    assert.equal(failed.code, 6, JSON.stringify(failed.envelope))
    assert.match(failed.envelope.error.message, /switching traffic failed on HAProxy lb2/)
    assert.match(failed.envelope.error.hint ?? '', /Put back: .*lb1 \(blue 100% \/ green 0%\)/)
    for (const lb of [lb1, lb2]) {
      assert.equal(await lb.green(), 0, `${lb.name} runtime back on blue`)
      assert.match(await readFile(lb.mapFile, 'utf8'), /^blue 100\ngreen 0$/m, `${lb.name} map file`)
      assert.deepEqual(await askName(lb.port), { status: 200, name: name(1) })
    }
    const released = await project.json(['release', '--sha', sha(2)])
    assert.equal(released.code, 0, JSON.stringify(released.envelope))
    for (const lb of [lb1, lb2]) assert.deepEqual(await askName(lb.port), { status: 200, name: name(2) })
  })

  it('status flags instances that disagree', async () => {
    await lb2.command(`set map ${lb2.mapFile} green 0;set map ${lb2.mapFile} blue 100`)
    const status = await project.json<{ result: { router: { detail: string } }; warnings: string[] }>([
      'status',
    ])
    assert.equal(status.code, 0)
    assert.match(
      status.envelope.result.router.detail,
      /^DISAGREEING .*lb1: blue 0% \/ green 100%, lb2: blue 100% \/ green 0%/,
    )
    // Nothing is pending (green's SHA went live): promote refuses; re-running the live release sets them all.
    const promote = await project.json(['promote', '--weight', '100'])
    assert.equal(promote.code, 2, JSON.stringify(promote.envelope))
    assert.deepEqual([await lb1.green(), await lb2.green()], [100, 0], 'promote changed nothing')
    const back = await project.json(['release', '--sha', sha(2)])
    assert.equal(back.code, 0, JSON.stringify(back.envelope))
    assert.deepEqual([await lb1.green(), await lb2.green()], [100, 100])
  })

  it('a map set by hand to send green 10% and blue nothing: status exits 6 naming the 90% that finds no backend', async () => {
    await lb2.command(`set map ${lb2.mapFile} green 10;set map ${lb2.mapFile} blue 0`)
    const status = await project.json<{ error: { message: string; hint: string; exitCode: number } }>([
      'status',
    ])
    assert.equal(status.code, 6, JSON.stringify(status.envelope))
    assert.match(
      status.envelope.error.message,
      /HAProxy lb2 answers 90% of requests with no backend \(503\): its map sends green 10% and blue nothing/,
    )
    assert.match(status.envelope.error.hint, /set map <map file> blue 100/)
    const back = await project.json(['release', '--sha', sha(2)])
    assert.equal(back.code, 0, JSON.stringify(back.envelope))
    assert.deepEqual([await lb1.green(), await lb2.green()], [100, 100])
    assert.equal((await project.json(['status'])).code, 0)
  })

  const expectUntouched = async () => {
    for (const lb of [lb1, lb2]) assert.equal(await lb.green(), 100, `${lb.name} still serves green`)
  }

  it('an unreachable runtime socket: exit 6 naming the instance, nothing changed', async () => {
    await writeConfig({}, (c) => {
      c.provider.haproxy.instances[1] = {
        ...c.provider.haproxy.instances[1],
        socket: join(project.dir, 'nope.sock'),
      }
    })
    const failed = (await project.json(['release', '--sha', sha(3)])) as Failure
    assert.equal(failed.code, 6)
    assert.match(failed.envelope.error.message, /HAProxy lb2: runtime API at .*nope\.sock is not reachable/)
    assert.match(
      failed.envelope.error.hint ?? '',
      /^No socket at that path: HAProxy is not running, or its `stats socket` line/,
    )
    assert.match(
      failed.envelope.error.hint ?? '',
      /If lb2 is gone for good \(its machine lost\), remove its entry from provider\.haproxy\.instances/,
    )
    await expectUntouched()
    // status shows what lb1 says (the 3 a.m. question: is anything still served?) and fails naming lb2.
    type Shown = { router: { detail: string; unreadable?: Array<{ message: string }> }; weights: object }
    const status = (await project.json(['status'])) as Failure & {
      envelope: { error: { details?: { status?: Shown } } }
    }
    assert.equal(status.code, 6, JSON.stringify(status.envelope))
    assert.match(status.envelope.error.message, /HAProxy lb2: runtime API at .*nope\.sock is not reachable/)
    assert.match(status.envelope.error.hint ?? '', /remove its entry from provider\.haproxy\.instances/)
    const shown = status.envelope.error.details?.status
    assert.deepEqual(shown?.weights, { blue: 0, green: 100 })
    assert.match(shown?.router.detail ?? '', /^HAProxy lb1: blue 0% \/ green 100%; UNREACHABLE: lb2$/)
    assert.equal(shown?.router.unreadable?.length, 1)
    const human = await project.run(['status'])
    assert.equal(human.code, 6)
    assert.match(human.stdout, /green \[live 100%\] .*\n {2}\S+ .*health: healthy/)
    assert.match(human.stderr, /lb2: runtime API at .*is not reachable/)
  })

  it('a wrong backend name: exit 6 with the key to fix', async () => {
    await writeConfig({}, (c) => {
      c.provider.haproxy.backends = { blue: 'be_blue', green: 'be_nope' }
    })
    const failed = (await project.json(['release', '--sha', sha(3)])) as Failure
    assert.equal(failed.code, 6)
    assert.match(
      JSON.stringify(failed.envelope.error),
      /no backend \\"be_nope\\" \(provider\.haproxy\.backends\.green\)/,
    )
    await expectUntouched()
  })

  it('a haproxy.cfg without the map rule: exit 6 naming the file and what is missing', async () => {
    await writeConfig({})
    const original = await readFile(lb1.configFile, 'utf8')
    await writeFile(lb1.configFile, original.replace(/^.*,map\(.*$/gm, ''))
    const failed = (await project.json(['release', '--sha', sha(3)])) as Failure
    await writeFile(lb1.configFile, original)
    assert.equal(failed.code, 6)
    assert.match(failed.envelope.error.message, /lb1: .*haproxy\.cfg is not set up for gwdeploy/)
    assert.match(failed.envelope.error.problems?.[0]?.message ?? '', /does not read the map/)
    await expectUntouched()
  })

  it("the live colour's servers put in maintenance by hand on one instance: status is exit 4 naming it", async () => {
    const live = (await lb1.green()) === 100 ? 'green' : 'blue'
    const backend = `be_${live}`
    const slots = [`${backend}/${live}1`]
    const healthy = await project.json(['status'])
    assert.equal(healthy.code, 0, JSON.stringify(healthy.envelope))
    await lb2.command(slots.map((slot) => `set server ${slot} state maint`).join(';'))
    try {
      // lb2 now refuses its share of the requests.
      assert.equal((await askName(lb2.port)).status, 503)
      const status = (await project.json(['status'])) as Failure
      assert.equal(status.code, 4, JSON.stringify(status.envelope))
      assert.match(
        JSON.stringify(status.envelope),
        new RegExp(`lb2: ${live}1 in maintenance while lb2 sends ${live} 100% of requests`),
      )
      const wait = await project.run([
        'status',
        '--wait-for',
        'healthy',
        '--timeout',
        '5s',
        '--interval',
        '200ms',
      ])
      assert.equal(wait.code, 4, wait.stderr)
    } finally {
      await lb2.command(slots.map((slot) => `set server ${slot} state ready`).join(';'))
    }
  })

  it("servers mode: the kept colour's address restarted with another release: status's node line names both names", async () => {
    // blue (sha 1) is kept for rollback; its address now answers as sha 3
    const blue = nodes[0] as ExternalNode
    const port = Number(blue.address.split(':')[1])
    await blue.stop()
    nodes[0] = await startGatewayNode(name(3), project.dir, port)
    try {
      // blue serves nothing (green is live): the node line says it, where it said "healthy"
      const status = await project.run(['status'])
      assert.equal(status.code, 0, status.stderr)
      assert.match(
        `${status.stdout}${status.stderr}`,
        new RegExp(`reports config name "${name(3)}", expected "${name(1)}"`),
      )
    } finally {
      await nodes[0]?.stop()
      nodes[0] = await startGatewayNode(name(1), project.dir, port)
    }
    assert.equal((await project.run(['status'])).code, 0)
  })

  it('a Docker host that is down: exit 6 naming the host', async () => {
    await writeConfig({}, (c) => {
      delete c.provider.haproxy.servers
      c.provider.haproxy.dockerHosts = [
        { host: `unix://${join(project.dir, 'docker.sock')}`, publishAddress: '127.0.0.1' },
      ]
      c.image = { repository: '127.0.0.1:5000/gwdeploy-test/never-built' }
    })
    const failed = (await project.json(['status'])) as Failure
    assert.equal(failed.code, 6)
    assert.match(failed.envelope.error.message, /Docker host unix:\/\/.*docker\.sock is not reachable/)
    await writeConfig({})
    await expectUntouched()
  })
})
