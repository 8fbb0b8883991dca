/**
 * Crash safety of the haproxy provider (servers mode: real HAProxy, gateway nodes as
 * processes, no containers). The CLI is SIGKILLed at every step boundary
 * (GWDEPLOY_TEST_KILL_AT), then the same release is re-run and must converge. After every
 * kill, both the runtime map and the map file give traffic only to colours that passed the
 * health gate: the serving colour, and the new one only once the kill point is past `verify`,
 * at exactly the weight routed before the kill. Each weighted colour's slot servers point at
 * its nodes and those nodes answer the config name its fleet record names; requests through
 * HAProxy only ever reach those names.
 */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { readMap, weightsFromEntries } from '../../src/providers/haproxy/config-file.ts'
import { parseMapEntries, parseServersState } from '../../src/providers/haproxy/runtime-api.ts'
import type { StateFile } from '../../src/providers/haproxy/state.ts'
import type { Colour } from '../../src/providers/types.ts'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'
import {
  askName,
  type ExternalNode,
  type HaproxyInstance,
  haproxyConfig,
  startGatewayNode,
  startHaproxy,
} from '../providers/haproxy/helpers.ts'

/** Each point with the new colour's share right after a kill there (steps 10, 50, 100). */
const POINTS: Array<[point: string, newShare: number]> = [
  ['lock', 0],
  ['stamp', 0],
  ['build', 0],
  ['plan', 0],
  ['provision', 0],
  ['verify', 0],
  ['shift', 0],
  ['shift:10', 10],
  ['bake', 10],
  ['shift:50', 50],
  ['finalize', 100],
  ['unlock', 100],
]

const other = (colour: Colour): Colour => (colour === 'blue' ? 'green' : 'blue')

describe('haproxy (servers mode): SIGKILL at every step boundary, then re-run: the release converges', () => {
  let project: Project
  let lb: HaproxyInstance
  const nodes: Record<Colour, ExternalNode[]> = { blue: [], green: [] }
  const name = (n: number) => `e2e rev-${sha(n).slice(0, 7)}`

  /** The operator deploys `configName` to a colour's servers (same addresses). */
  async function deploy(colour: Colour, configName: string) {
    const ports = nodes[colour].map((node) => Number(node.address.split(':')[1]))
    for (const node of nodes[colour]) await node.stop()
    nodes[colour] = await Promise.all(ports.map((port) => startGatewayNode(configName, project.dir, port)))
  }

  const stateFile = () => join(project.dir, '.gwdeploy', 'haproxy', 'gwdeploy-e2e.json')
  const records = async () =>
    (JSON.parse(await readFile(stateFile(), 'utf8').catch(() => '{"fleets":{}}')) as StateFile).fleets

  /** Runtime map and map file agree on `expected`; weighted colours are what the gate passed. */
  async function assertTraffic(
    expected: Record<Colour, number>,
    allowed: Record<Colour, string>,
    why: string,
  ) {
    const runtime = weightsFromEntries(parseMapEntries(await lb.command(`show map ${lb.mapFile}`)))
    assert.deepEqual(runtime, expected, `${why}: runtime map`)
    assert.deepEqual(readMap(await readFile(lb.mapFile, 'utf8')), expected, `${why}: map file`)
    const fleets = await records()
    const servers = parseServersState(await lb.command('show servers state'))
    const names = new Set<string>()
    for (const colour of ['blue', 'green'] as const) {
      if (expected[colour] === 0) continue
      const record = fleets[colour]
      assert.ok(record, `${why}: ${colour} carries ${expected[colour]}% but has no fleet record`)
      assert.equal(
        record.configName,
        allowed[colour],
        `${why}: ${colour} carries traffic for a build that did not pass the gate`,
      )
      for (const node of record.nodes) {
        const slot = servers.find(
          (s) => s.backend === `be_${colour}` && s.name === `${colour}${node.slot + 1}`,
        )
        assert.deepEqual(
          [slot?.address, slot?.port],
          [node.address, node.port],
          `${why}: ${colour} slot server`,
        )
        assert.equal((await askNode(`${node.address}:${node.port}`)).name, record.configName, `${why}: node`)
      }
      names.add(record.configName)
    }
    for (let i = 0; i < 20; i++) {
      const answer = await askName(lb.port)
      assert.equal(answer.status, 200, why)
      assert.ok(
        names.has(answer.name ?? ''),
        `${why}: HAProxy sent a request to ${answer.name}, not one of ${[...names]}`,
      )
    }
  }

  before(async () => {
    project = await makeProject()
    lb = await startHaproxy()
    for (const colour of ['blue', 'green'] as const)
      for (let i = 0; i < 2; i++) nodes[colour].push(await startGatewayNode(name(90), project.dir))
    const config = haproxyConfig({
      instances: [lb],
      servers: {
        blue: nodes.blue.map((node) => node.address),
        green: nodes.green.map((node) => node.address),
      },
      lockTtl: '1s',
      shift: { strategy: 'steps', steps: [10, 50, 100], bake: '200ms' },
    })
    await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
    const first = await project.run(['release', '--sha', sha(90)])
    assert.equal(first.code, 0, first.stderr)
    assert.equal(await lb.green(), 0)
  })
  after(async () => {
    await project?.cleanup()
    for (const node of [...nodes.blue, ...nodes.green]) await node.stop()
    await lb?.stop()
  })

  POINTS.forEach(([point, newShare], i) => {
    it(`killed at ${point}: traffic only on gated colours (new colour at ${newShare}%), the re-run converges`, async () => {
      const target = sha(i + 10)
      const serving: Colour = (await lb.green()) === 100 ? 'green' : 'blue'
      const fresh = other(serving)
      const servingName = (await records())[serving]?.configName ?? ''
      assert.equal((await askName(lb.port)).name, servingName)
      await deploy(fresh, name(i + 10))

      const killed = await project.run(['release', '--sha', target], { GWDEPLOY_TEST_KILL_AT: point })
      assert.equal(killed.signal, 'SIGKILL', `expected the CLI to die at ${point}: ${killed.stderr}`)
      const split = { [serving]: 100 - newShare, [fresh]: newShare } as Record<Colour, number>
      await assertTraffic(
        split,
        { [serving]: servingName, [fresh]: name(i + 10) } as Record<Colour, string>,
        `after a kill at ${point}`,
      )

      // The killed run's lock expires after its TTL (1 s): --lock-wait rides it out.
      const rerun = await project.run(['release', '--sha', target, '--lock-wait=20s'])
      assert.equal(rerun.code, 0, rerun.stderr)
      const done = { [serving]: 0, [fresh]: 100 } as Record<Colour, number>
      await assertTraffic(
        done,
        { [serving]: servingName, [fresh]: name(i + 10) } as Record<Colour, string>,
        `re-run after ${point}`,
      )
      assert.equal(
        (await records())[serving]?.configName,
        servingName,
        'the previous colour is kept for rollback',
      )
      const history = await project.json<{ result: Array<{ sha: string; status: string }> }>([
        'history',
        '-n',
        '50',
      ])
      assert.ok(
        history.envelope.result.some((e) => e.sha === target && e.status === 'released'),
        'the converged release is recorded',
      )
    })
  })
})

async function askNode(address: string): Promise<{ name?: string }> {
  const res = await fetch(`http://${address}/__health`, { signal: AbortSignal.timeout(5_000) })
  return (await res.json()) as { name?: string }
}
