/**
 * Release records on kubernetes (ConfigMaps in the namespace) against the real test cluster, as
 * the ServiceAccount bound to the shipped Role: release from one working copy, then history /
 * status / rollback --to from a second copy holding only gwdeploy.yml, gateway.json and the
 * ServiceAccount's kubeconfig (the credentials), with its own empty cache.
 */
import assert from 'node:assert/strict'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { envelope, runCli } from '../helpers/cli.ts'
import { secondCopy } from '../helpers/second-copy.ts'
import {
  makeRealKubeProject,
  type Obj,
  type RealKubeProject,
  sha,
} from '../providers/kubernetes/real-project.ts'

const config = (path: string) =>
  JSON.stringify({
    version: 3,
    name: 'k8s',
    endpoints: [{ endpoint: path, backend: [{ host: ['http://127.0.0.1:19'], url_pattern: '/ping' }] }],
  })

describe('kubernetes records (ConfigMaps, real cluster): history, status, rollback --to from a second copy', {
  concurrency: false,
}, () => {
  let project: RealKubeProject
  let copy: string
  const second = (args: string[]) =>
    runCli(args, {
      cwd: copy,
      env: { ...project.env, GWDEPLOY_CACHE_DIR: join(copy, '.cache') },
      timeoutMs: 300_000,
    })
  before(async () => {
    project = await makeRealKubeProject()
    await project.writeConfig({ top: { fleet: { size: 1, port: 8080 } } })
  })
  after(async () => {
    if (copy) await rm(copy, { recursive: true, force: true })
    await project?.cleanup()
  })

  it('releases two SHAs with different configs from the first copy', async () => {
    await writeFile(join(project.dir, 'gateway.json'), config('/v1/old'))
    const one = await project.run(['release', '--sha', sha(1)])
    assert.equal(one.exitCode, 0, one.stderr)
    await writeFile(join(project.dir, 'gateway.json'), config('/v1/new'))
    const two = await project.run(['release', '--sha', sha(2)])
    assert.equal(two.exitCode, 0, two.stderr)
    copy = await secondCopy(project.dir, ['kubeconfig.yaml'])
  })

  const images: Record<string, string> = {}
  it('history and status from the second copy come from the ConfigMaps', async () => {
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
      assert.match(e.image, new RegExp(`^${project.repository}@sha256:[0-9a-f]{64}$`))
      images[e.sha] = e.image
    }
    const status = await second(['status', '--json'])
    assert.equal(status.exitCode, 0, status.stderr)
    assert.equal((envelope(status).result as { lastRelease?: { sha: string } }).lastRelease?.sha, sha(2))
    // What the API server stores, read as admin.
    const selector = encodeURIComponent('gwdeploy.dev/record=release')
    const maps = (
      (await project.get(`/api/v1/namespaces/${project.namespace}/configmaps?labelSelector=${selector}`)) as {
        items: Obj[]
      }
    ).items
    assert.equal(maps.length, 2)
    const first = maps.find((m) => JSON.parse(m.data['record.json'] ?? '{}').sha === sha(1))
    assert.match(first?.data['gateway.json'] ?? '', /\/v1\/old/)
    assert.equal(first?.metadata.labels['app.kubernetes.io/instance'], project.service)
  })

  it('rollback --to the first SHA after its colour is retired deploys the recorded image digest', async () => {
    const retired = await second(['retire', '--delete'])
    assert.equal(retired.exitCode, 0, retired.stderr)
    assert.equal(await project.deployment('blue'), undefined, 'the first SHA no longer runs anywhere')
    const result = await second(['rollback', '--to', sha(1)])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.match(result.stderr, /build.*reusing/)
    const live = await project.liveColour()
    assert.equal(live, 'blue')
    const deployment = await project.deployment('blue')
    assert.equal(deployment.spec.template.spec.containers[0].image, images[sha(1)])
    assert.equal(deployment.metadata.labels['gwdeploy.dev/sha'], sha(1))
    // The pod runs the recorded config: /v1/old is routed (its backend refuses: 5xx, not 404).
    const old = await project.viaService('/v1/old')
    assert.notEqual(old.status, 404, old.body)
    const gone = await project.viaService('/v1/new')
    assert.equal(gone.status, 404, gone.body)
  })
})
