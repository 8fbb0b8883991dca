/**
 * Two gwdeploy projects that gave their service the same name (two teams, two HAProxies, two
 * state dirs) on one Docker host: each target has its own id, and neither adopts, stops or
 * removes the other's containers — the second is refused (exit 2) before it changes anything,
 * while the first keeps serving. Also the upgrade path: containers from a gwdeploy before
 * target ids are adopted when the target's own fleet record names them, refused otherwise.
 */
import assert from 'node:assert/strict'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type Dockerode from 'dockerode'
import { stringify } from 'yaml'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'
import { removeTargetContainers, targetContainers, testDocker, uniqueName } from '../helpers/docker.ts'
import { requireBaseImage, requireDocker, requireRegistry } from '../helpers/services.ts'
import { askName, type HaproxyInstance, haproxyConfig, startHaproxy } from '../providers/haproxy/helpers.ts'

interface Team {
  service: string
  project: Project
  lb: HaproxyInstance
  stateFile: string
}

interface ColourView {
  colour: string
  role: string
  sha: string
  nodes: Array<{ id: string; provider: string }>
}

interface Envelope {
  result: { weights: Record<string, number>; colours: ColourView[] }
  error: {
    code: string
    exitCode: number
    message: string
    problems: Array<{ message: string }>
    hint: string
  }
}

describe('haproxy: two targets of one name on one Docker host', { concurrency: false }, () => {
  const service = uniqueName('shared')
  const legacyService = uniqueName('legacy')
  const teams: Team[] = []
  let docker: Dockerode
  let host: string
  let a: Team
  let b: Team
  /** The image A released (repository@digest), reused for the container an older gwdeploy "made". */
  let imageA = ''
  let labelsA: Record<string, string> = {}

  async function team(name: string, size = 2): Promise<Team> {
    const project = await makeProject()
    const lb = await startHaproxy()
    const config = haproxyConfig({
      service: name,
      instances: [lb],
      dockerHost: host,
      repository: `${(await requireRegistry()).host}/gwdeploy-test/${uniqueName('hshared')}`,
      baseImage: await requireBaseImage(),
      size,
    })
    await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
    const created = {
      service: name,
      project,
      lb,
      stateFile: join(project.dir, '.gwdeploy', 'haproxy', `gwdeploy-${name}.json`),
    }
    teams.push(created)
    return created
  }
  const targetId = async (t: Team): Promise<string | undefined> =>
    JSON.parse(await readFile(t.stateFile, 'utf8').catch(() => '{}')).targetId
  const containers = (name: string) => targetContainers(docker, name)
  /** Every container of the target name: id, name, state, start time (a recreated one differs). */
  const snapshot = async (name: string) =>
    Promise.all(
      (await containers(name)).map(async (c) => {
        const { State } = await docker.getContainer(c.Id).inspect()
        return `${c.Id} ${c.Names[0]} ${State.Status} ${State.StartedAt}`
      }),
    ).then((lines) => lines.sort())
  const status = async (t: Team) => t.project.json<Envelope>(['status'])
  const statusView = (envelope: Envelope) => ({
    weights: envelope.result.weights,
    colours: envelope.result.colours.map((c) => ({
      colour: c.colour,
      role: c.role,
      sha: c.sha,
      nodes: c.nodes.map((n) => n.id),
    })),
  })
  const name = (n: number) => `${service} rev-${sha(n).slice(0, 7)}`

  before(async () => {
    host = (await requireDocker()).host
    docker = (await testDocker()).docker
    a = await team(service)
    b = await team(service)
  })
  after(async () => {
    for (const t of teams) await t.project.cleanup()
    await removeTargetContainers(docker, service, legacyService)
    for (const t of teams) await t.lb.stop()
  })

  it('A releases: its containers carry its target id, as a label and in their names', async () => {
    const released = await a.project.run(['release', '--sha', sha(1)])
    assert.equal(released.code, 0, released.stderr)
    const id = await targetId(a)
    assert.match(id ?? '', /^[0-9a-f]{8}$/)
    const listed = await containers(service)
    assert.equal(listed.length, 2)
    for (const info of listed) {
      assert.equal(info.Labels['gwdeploy.target-id'], id)
      assert.match(
        info.Names[0] ?? '',
        new RegExp(`^/gwdeploy-${service}-${id}-blue-${sha(1).slice(0, 7)}-[12]$`),
      )
    }
    imageA = listed[0]?.Image ?? ''
    labelsA = listed[0]?.Labels ?? {}
    assert.deepEqual(await askName(a.lb.port), { status: 200, name: name(1) })
    const planned = await a.project.run(['release', '--sha', sha(9), '--dry-run'])
    assert.equal(planned.code, 0, planned.stderr)
    assert.match(planned.stdout, new RegExp(`"name": "gwdeploy-${service}-${id}-green-0909090-1"`))
    assert.match(planned.stdout, new RegExp(`"gwdeploy.target-id": "${id}"`))
  })

  it("B (same name, own HAProxy and state) is refused before it changes anything; A's fleet keeps serving", async () => {
    const before = await snapshot(service)
    const statusBefore = statusView((await status(a)).envelope)
    const bConfig = await readFile(b.lb.configFile, 'utf8')
    const bMap = await readFile(b.lb.mapFile, 'utf8')

    const refused = await b.project.json<Envelope>(['release', '--sha', sha(2)])

    assert.deepEqual(await snapshot(service), before, "A's containers were not reused, replaced or removed")
    const statusAfter = await status(a)
    assert.equal(statusAfter.code, 0, JSON.stringify(statusAfter.envelope))
    assert.deepEqual(statusView(statusAfter.envelope), statusBefore, "A's status is unchanged")
    assert.deepEqual(statusBefore.weights, { blue: 100, green: 0 })
    for (let i = 0; i < 5; i++) assert.deepEqual(await askName(a.lb.port), { status: 200, name: name(1) })

    assert.equal(refused.code, 2, JSON.stringify(refused.envelope))
    const { error } = refused.envelope
    assert.equal(error.code, 'config')
    assert.match(
      error.message,
      new RegExp(
        `the Docker host ${host.replace(/[/.]/g, '\\$&')} already runs gwdeploy containers of another target named "${service}" \\(this target has no id yet: .*gwdeploy-${service}\\.json holds none\\); gwdeploy does not adopt, stop or remove them, and changed nothing`,
      ),
    )
    const idA = (await targetId(a)) ?? ''
    assert.deepEqual(
      error.problems.map((p) => p.message).sort(),
      (await containers(service))
        .map((c) => `${host}: container ${c.Names[0]?.slice(1)} (gwdeploy.target-id ${idA})`)
        .sort(),
    )
    assert.match(error.hint, /Give this one its own `service` in gwdeploy\.yml/)
    assert.match(error.hint, new RegExp(`"targetId": "${idA}"`))
    assert.equal(await targetId(b), undefined, 'B claimed no id')
    assert.equal(await readFile(b.lb.configFile, 'utf8'), bConfig, "B's haproxy.cfg is untouched")
    assert.equal(await readFile(b.lb.mapFile, 'utf8'), bMap, "B's map is untouched")
  })

  it("B's status and destroy are refused too; A's containers survive B's destroy", async () => {
    const before = await snapshot(service)
    const seen = await status(b)
    assert.equal(seen.code, 2, JSON.stringify(seen.envelope))
    assert.match(seen.envelope.error.message, /another target named/)
    const destroyed = await b.project.json<Envelope>(['destroy', '--force'])
    assert.equal(destroyed.code, 2, JSON.stringify(destroyed.envelope))
    assert.match(destroyed.envelope.error.message, /does not adopt, stop or remove them/)
    assert.deepEqual(await snapshot(service), before)
    assert.deepEqual(await askName(a.lb.port), { status: 200, name: name(1) })
  })

  it('once A has destroyed its fleet, B releases with its own id, and A in turn is refused', async () => {
    const gone = await a.project.run(['destroy', '--force'])
    assert.equal(gone.code, 0, gone.stderr)
    assert.deepEqual(await containers(service), [])
    const released = await b.project.run(['release', '--sha', sha(2)])
    assert.equal(released.code, 0, released.stderr)
    const idA = await targetId(a)
    const idB = await targetId(b)
    assert.match(idB ?? '', /^[0-9a-f]{8}$/)
    assert.notEqual(idB, idA, 'A keeps its id after destroy; B has its own')
    const listed = await containers(service)
    assert.equal(listed.length, 2)
    for (const info of listed) assert.equal(info.Labels['gwdeploy.target-id'], idB)
    assert.deepEqual(await askName(b.lb.port), { status: 200, name: name(2) })
    const before = await snapshot(service)
    const refused = await a.project.json<Envelope>(['release', '--sha', sha(1)])
    assert.equal(refused.code, 2, JSON.stringify(refused.envelope))
    assert.match(refused.envelope.error.message, new RegExp(`this target's id is ${idA}`))
    assert.deepEqual(await snapshot(service), before)
  })

  it('upgrade: containers without a target id are adopted when the fleet record names them, refused otherwise', async () => {
    const c = await team(legacyService, 1)
    const d = await team(legacyService, 1)
    // What a gwdeploy before target ids created: its old name and labels, no gwdeploy.target-id.
    const legacyName = `gwdeploy-${legacyService}-blue-${sha(1).slice(0, 7)}-1`
    const legacy = await docker.createContainer({
      name: legacyName,
      Image: imageA,
      Labels: {
        ...Object.fromEntries(Object.entries(labelsA).filter(([key]) => key !== 'gwdeploy.target-id')),
        'gwdeploy.target': legacyService,
        'gwdeploy.service': legacyService,
      },
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: {
        PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
        RestartPolicy: { Name: 'unless-stopped' },
      },
    })
    await legacy.start()
    const info = await legacy.inspect()
    // ... and the fleet record it wrote for C, beside C's HAProxy state.
    await mkdir(dirname(c.stateFile), { recursive: true })
    await writeFile(
      c.stateFile,
      JSON.stringify({
        fleets: {
          blue: {
            colour: 'blue',
            sha: sha(1),
            configName: labelsA['gwdeploy.config.name'],
            configDigest: labelsA['gwdeploy.config.digest'],
            image: imageA,
            nodes: [
              {
                id: legacyName,
                slot: 0,
                address: '127.0.0.1',
                port: Number(info.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort),
                meta: { host, container: info.Id.slice(0, 12), state: 'running' },
              },
            ],
          },
        },
      }),
    )

    const adopted = await status(c)
    assert.equal(adopted.code, 0, JSON.stringify(adopted.envelope))
    assert.deepEqual(
      adopted.envelope.result.colours.map((colour) => [
        colour.colour,
        colour.sha,
        colour.nodes.map((n) => n.id),
      ]),
      [['blue', sha(1), [legacyName]]],
    )

    const refused = await status(d)
    assert.equal(refused.code, 2, JSON.stringify(refused.envelope))
    assert.deepEqual(
      refused.envelope.error.problems.map((p) => p.message),
      [`${host}: container ${legacyName} (no gwdeploy.target-id label, not in this target's fleet record)`],
    )
    assert.match(refused.envelope.error.hint, new RegExp(`docker rm -f ${legacyName}`))

    const released = await c.project.run(['release', '--sha', sha(3)])
    assert.equal(released.code, 0, released.stderr)
    const idC = await targetId(c)
    const green = (await containers(legacyService)).filter((x) => x.Labels['gwdeploy.colour'] === 'green')
    assert.equal(green.length, 1)
    assert.equal(green[0]?.Labels['gwdeploy.target-id'], idC)
    assert.equal(
      (await legacy.inspect()).State.Running,
      true,
      'the adopted blue stays as the previous colour',
    )

    const retired = await c.project.run(['retire'])
    assert.equal(retired.code, 0, retired.stderr)
    await assert.rejects(legacy.inspect(), (error: { statusCode?: number }) => error.statusCode === 404)
    assert.deepEqual(
      (await containers(legacyService)).map((x) => x.Id),
      green.map((x) => x.Id),
    )
    assert.deepEqual(await askName(c.lb.port), {
      status: 200,
      name: `${legacyService} rev-${sha(3).slice(0, 7)}`,
    })
  })
})
