/**
 * Release records on the haproxy provider: beside the HAProxy config (its state dir, the
 * default), written by a release from one working copy and read by history / status /
 * rollback --to from a second copy that has only gwdeploy.yml and gateway.json. Containers on
 * the test dockerd, a real HAProxy in front.
 */
import assert from 'node:assert/strict'
import { readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type Dockerode from 'dockerode'
import { stringify } from 'yaml'
import { GATEWAY_CONFIG, makeProject, type Project, sha } from '../core/helpers/project.ts'
import { envelope, runCli } from '../helpers/cli.ts'
import { testDocker, uniqueName } from '../helpers/docker.ts'
import { secondCopy } from '../helpers/second-copy.ts'
import { requireBaseImage, requireDocker, requireRegistry } from '../helpers/services.ts'
import { askName, type HaproxyInstance, haproxyConfig, startHaproxy } from '../providers/haproxy/helpers.ts'

const config = (path: string) =>
  JSON.stringify({ ...GATEWAY_CONFIG, endpoints: [{ ...GATEWAY_CONFIG.endpoints[0], endpoint: path }] })

describe('haproxy records (state dir beside haproxy.cfg): history, status, rollback --to from a second copy', {
  concurrency: false,
}, () => {
  let project: Project
  let lb: HaproxyInstance
  let docker: Dockerode
  let copy: string
  const second = (args: string[]) => runCli(args, { cwd: copy })
  const target = uniqueName('e2e')
  const name = (n: number) => `${target} rev-${sha(n).slice(0, 7)}`
  const containers = () =>
    docker.listContainers({ all: true, filters: { label: [`gwdeploy.target=${target}`] } })

  before(async () => {
    const { host } = await requireDocker()
    docker = (await testDocker()).docker
    project = await makeProject()
    lb = await startHaproxy()
    const yml = haproxyConfig({
      service: target,
      instances: [lb],
      dockerHost: host,
      repository: `${(await requireRegistry()).host}/gwdeploy-test/${uniqueName('hrec')}`,
      baseImage: await requireBaseImage(),
      size: 1,
    }) as { provider: { haproxy: Record<string, unknown> } }
    // The default: the records and fleet record live beside the first instance's haproxy.cfg.
    delete yml.provider.haproxy.stateDir
    await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(yml))
  })
  after(async () => {
    await project?.cleanup()
    for (const info of await containers().catch(() => []))
      await docker
        .getContainer(info.Id)
        .remove({ force: true })
        .catch(() => {})
    await lb?.stop()
    if (copy) await rm(copy, { recursive: true, force: true })
  })

  const images: Record<string, string> = {}
  it('releases two SHAs with different configs from the first copy', async () => {
    await writeFile(join(project.dir, 'gateway.json'), config('/v1/old'))
    const one = await project.run(['release', '--sha', sha(1)])
    assert.equal(one.code, 0, one.stderr)
    await writeFile(join(project.dir, 'gateway.json'), config('/v1/new'))
    const two = await project.run(['release', '--sha', sha(2)])
    assert.equal(two.code, 0, two.stderr)
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(2) })
    const records = await readdir(join(lb.dir, `gwdeploy-${target}-releases`))
    assert.equal(records.length, 2)
    copy = await secondCopy(project.dir)
  })

  it('history and status from the second copy', async () => {
    const history = await second(['history', '--json'])
    assert.equal(history.exitCode, 0, history.stderr)
    const entries = envelope(history).result as Array<{ sha: string; status: string; image: string }>
    assert.deepEqual(
      entries.map((e) => [e.sha, e.status]),
      [
        [sha(2), 'released'],
        [sha(1), 'released'],
      ],
    )
    for (const e of entries) {
      assert.match(e.image, /@sha256:[0-9a-f]{64}$/)
      images[e.sha] = e.image
    }
    const status = await second(['status', '--json'])
    assert.equal(status.exitCode, 0, status.stderr)
    assert.equal((envelope(status).result as { lastRelease?: { sha: string } }).lastRelease?.sha, sha(2))
  })

  it('rollback --to the first SHA after its colour is retired runs the recorded image and config', async () => {
    const retired = await second(['retire'])
    assert.equal(retired.exitCode, 0, retired.stderr)
    const result = await second(['rollback', '--to', sha(1)])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.match(result.stderr, /build.*reusing/)
    assert.deepEqual(await askName(lb.port), { status: 200, name: name(1) })
    const running = (await containers()).filter(
      (c) => c.State === 'running' && c.Labels['gwdeploy.sha'] === sha(1),
    )
    assert.equal(running.length, 1)
    assert.equal(running[0]?.Image, images[sha(1)])
    // The old config's endpoint answers through HAProxy (its backend is down: not 404); today's does not.
    assert.notEqual((await fetch(`http://127.0.0.1:${lb.port}/v1/old`)).status, 404)
    assert.equal((await fetch(`http://127.0.0.1:${lb.port}/v1/new`)).status, 404)
  })
})
