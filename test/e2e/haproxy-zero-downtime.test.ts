/**
 * Zero failed requests through a real HAProxy while gwdeploy releases and rolls back Docker
 * fleets: clients speak HTTP/1.1 keep-alive and h2c to HAProxy, HAProxy speaks h2c to the
 * gateway containers (`proto h2` on the slot servers). Bounded: 3 release -> rollback cycles.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'
import { testDocker, uniqueName } from '../helpers/docker.ts'
import { startHealthLoad } from '../helpers/health-load.ts'
import { requireBaseImage, requireDocker, requireRegistry } from '../helpers/services.ts'
import { type HaproxyInstance, haproxyConfig, startHaproxy } from '../providers/haproxy/helpers.ts'

const CYCLES = 3
// Health checks go over h2 too: the template's check sends a Host header, which becomes :authority.
const SERVER_OPTIONS = 'check inter 200ms rise 2 fall 3 proto h2'

describe('haproxy: zero failed requests across release/rollback (h1 keep-alive + h2c, h2 to the gateway)', () => {
  let project: Project
  let lb: HaproxyInstance
  before(async () => {
    const { host } = await requireDocker()
    project = await makeProject()
    lb = await startHaproxy({ serverOptions: SERVER_OPTIONS })
    const config = haproxyConfig({
      instances: [lb],
      dockerHost: host,
      repository: `${(await requireRegistry()).host}/gwdeploy-test/${uniqueName('hapzd')}`,
      baseImage: await requireBaseImage(),
      size: 2,
      serverOptions: SERVER_OPTIONS,
    })
    await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
    const first = await project.run(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, first.stderr)
  })
  after(async () => {
    await project?.cleanup()
    const { docker } = await testDocker()
    for (const info of await docker.listContainers({
      all: true,
      filters: { label: ['gwdeploy.target=e2e'] },
    }))
      await docker
        .getContainer(info.Id)
        .remove({ force: true })
        .catch(() => {})
    await lb?.stop()
  })

  it('serves every request while traffic switches back and forth', async () => {
    const load = startHealthLoad(`http://127.0.0.1:${lb.port}`, { h1: 2, h2: 1 })
    const blueName = `e2e rev-${sha(1).slice(0, 7)}`
    try {
      for (let i = 0; i < CYCLES && load.failures.length === 0; i++) {
        const released = await project.run(['release', '--sha', sha(i + 20)])
        assert.equal(released.code, 0, released.stderr)
        const rolled = await project.run(['rollback'])
        assert.equal(rolled.code, 0, rolled.stderr)
      }
      // Requests sent before the last rollback may still answer from green: let a few more through.
      await load.settle(30)
    } finally {
      await load.stop()
    }
    const { failures, names } = load
    assert.deepEqual(failures, [], `failed requests: ${failures.slice(0, 5).join('; ')}`)
    assert.ok(load.ok() > 100, `load ran (${load.ok()} requests)`)
    assert.equal(names[0], blueName)
    assert.equal(names.at(-1), blueName, `names seen: ${JSON.stringify(names)}`)
    const switches = names.filter((name) => name !== blueName).length
    assert.ok(switches >= CYCLES, `saw ${switches} switches to green in ${JSON.stringify(names)}`)
  })
})
