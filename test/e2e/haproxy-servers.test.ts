/**
 * haproxy provider, `servers` mode, through the built CLI: real HAProxy (master-worker), gateway
 * nodes run outside gwdeploy (the runtime bundle as processes). gwdeploy only moves traffic.
 */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'
import {
  askName,
  type ExternalNode,
  type HaproxyInstance,
  haproxyConfig,
  startGatewayNode,
  startHaproxy,
} from '../providers/haproxy/helpers.ts'

describe('haproxy provider, servers mode (CLI)', { concurrency: false }, () => {
  let project: Project
  let lb: HaproxyInstance
  const nodes: ExternalNode[] = []
  const name = (n: number) => `e2e rev-${sha(n).slice(0, 7)}`

  before(async () => {
    project = await makeProject()
    lb = await startHaproxy()
    for (const n of [1, 1, 2, 2]) nodes.push(await startGatewayNode(name(n), project.dir))
    const config = haproxyConfig({
      instances: [lb],
      servers: {
        blue: [nodes[0]?.address ?? '', nodes[1]?.address ?? ''],
        green: [nodes[2]?.address ?? '', nodes[3]?.address ?? ''],
      },
    })
    await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
  })
  after(async () => {
    await project?.cleanup()
    for (const node of nodes) await node.stop()
    await lb?.stop()
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

  it('release --dry-run prints what each instance would get and changes nothing', async () => {
    const mapBefore = await readFile(lb.mapFile, 'utf8')
    const cfgBefore = await readFile(lb.configFile, 'utf8')
    const result = await project.run(['release', '--sha', sha(2), '--dry-run'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /dry run: nothing was changed/)
    assert.match(result.stdout, /server green1 /)
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
})
