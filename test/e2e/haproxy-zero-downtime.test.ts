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
import { removeTargetContainers, testDocker, uniqueName } from '../helpers/docker.ts'
import { assertZeroDowntimeCycles } from '../helpers/health-load.ts'
import { requireBaseImage, requireDocker, requireRegistry } from '../helpers/services.ts'
import { type HaproxyInstance, haproxyConfig, startHaproxy } from '../providers/haproxy/helpers.ts'

const CYCLES = 3
// Health checks go over h2 too: the template's check sends a Host header, which becomes :authority.
const SERVER_OPTIONS = 'check inter 200ms rise 2 fall 3 proto h2'

describe('haproxy: zero failed requests across release/rollback (h1 keep-alive + h2c, h2 to the gateway)', () => {
  let project: Project
  let lb: HaproxyInstance
  const target = uniqueName('e2e')
  before(async () => {
    const { host } = await requireDocker()
    project = await makeProject()
    lb = await startHaproxy({ serverOptions: SERVER_OPTIONS })
    const config = haproxyConfig({
      service: target,
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
    await removeTargetContainers((await testDocker()).docker, target)
    await lb?.stop()
  })

  it('serves every request while traffic switches back and forth', async () => {
    await assertZeroDowntimeCycles({
      origin: `http://127.0.0.1:${lb.port}`,
      loops: { h1: 2, h2: 1 },
      cycles: CYCLES,
      blueName: `${target} rev-${sha(1).slice(0, 7)}`,
      releaseSha: (i) => sha(i + 20),
      run: (args) => project.run(args),
    })
  })
})
