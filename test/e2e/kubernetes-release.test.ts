import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { envelope, RUN_JS } from '../helpers/cli.ts'
import { requireKubectl } from '../helpers/services.ts'
import { type KubeProject, makeKubeProject, sha } from '../providers/kubernetes/project.ts'

// release -> rollback -> retire through the CLI against the fake API server; pods are real
// containers of the image gwdeploy built and pushed.
describe('kubernetes provider: release, rollback, retire (CLI subprocess, fake API server)', () => {
  let project: KubeProject
  before(async () => {
    project = await makeKubeProject()
  })
  after(async () => {
    await project?.cleanup()
  })

  const liveColour = () =>
    project.api.get('services', project.namespace, project.service)?.spec.selector['gwdeploy.dev/colour']
  const name = (n: number) => `${project.service} rev-${sha(n).slice(0, 7)}`

  it('releases the first SHA onto blue by image digest, behind the live Service', async () => {
    const result = await project.run(['release', '--sha', sha(1), '--json'])
    assert.equal(result.exitCode, 0, result.stderr + result.stdout)
    const out = envelope(result).result as { status: string; colour: string; configName: string }
    assert.equal(out.status, 'released')
    assert.equal(out.colour, 'blue')
    assert.equal(out.configName, name(1))
    const deployment = project.api.get('deployments', project.namespace, `${project.service}-blue`)
    assert.match(
      deployment.spec.template.spec.containers[0].image,
      new RegExp(`^${project.repository}@sha256:[0-9a-f]{64}$`),
    )
    assert.equal(deployment.metadata.labels['gwdeploy.dev/sha'], sha(1))
    assert.equal(liveColour(), 'blue')
  })

  it('kubectl can read what gwdeploy created from the fake API server', async () => {
    const kubectl = await requireKubectl()
    const cache = await mkdtemp(join(tmpdir(), 'kubectl-cache-'))
    const { stdout } = await promisify(execFile)(
      kubectl.path,
      [
        'get',
        'deployments,services,leases',
        '-o',
        'json',
        '--kubeconfig',
        join(project.dir, 'kubeconfig.json'),
        '--cache-dir',
        cache,
      ],
      { env: { ...process.env, KUBECONFIG: '' } },
    )
    const list = JSON.parse(stdout) as {
      items: Array<{
        kind: string
        metadata: { name: string; labels?: Record<string, string> }
        spec?: { selector?: Record<string, string> }
      }>
    }
    const names = list.items.map((item) => `${item.kind}/${item.metadata.name}`).sort()
    assert.ok(names.includes(`Deployment/${project.service}-blue`), names.join(' '))
    assert.ok(names.includes(`Service/${project.service}`), names.join(' '))
    assert.ok(names.includes(`Service/${project.service}-preview`), names.join(' '))
    const deployment = list.items.find((item) => item.kind === 'Deployment')
    assert.equal(deployment?.metadata.labels?.['app.kubernetes.io/managed-by'], 'gwdeploy')
  })

  it('--dry-run prints the manifests as YAML and changes nothing', async () => {
    const result = await project.run(['release', '--sha', sha(2), '--dry-run'])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.match(result.stdout, /kind: Deployment/)
    assert.match(result.stdout, new RegExp(`name: ${project.service}-green`))
    assert.match(result.stdout, /path: \/__health/)
    assert.equal(project.api.get('deployments', project.namespace, `${project.service}-green`), undefined)
  })

  it('releases a second SHA onto green; weighted steps collapse with a warning; blue stays up', async () => {
    const result = await project.run(['release', '--sha', sha(2), '--steps', '10,50,100'])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.match(result.stderr, /routes 0\/100 only: shifting all at once/)
    assert.equal(liveColour(), 'green')
    const blue = project.api.get('deployments', project.namespace, `${project.service}-blue`)
    assert.equal(blue.spec.replicas, 2)
    assert.ok(blue.metadata.annotations['gwdeploy.dev/keep-until'], 'blue is annotated as kept for rollback')
    // The live Service, reached through the API server's service proxy, answers green's name.
    const res = await project.api.fetch(
      `/api/v1/namespaces/${project.namespace}/services/${project.service}:http/proxy/__health`,
    )
    assert.equal(res.status, 200)
    assert.equal((JSON.parse(res.text) as { name: string }).name, name(2))
    const patches = project.api.requests.filter(
      (r) => r.method === 'PATCH' && r.path.endsWith(`/services/${project.service}`),
    )
    assert.ok(patches.length > 0 && patches.every((r) => r.contentType === 'application/merge-patch+json'))
  })

  it('status shows both colours and per-pod health through the pod proxy', async () => {
    const result = await project.run(['status', '--json'])
    assert.equal(result.exitCode, 0, result.stderr)
    const status = envelope(result).result as {
      weights: Record<string, number>
      colours: Array<{ colour: string; nodes: Array<{ health: { ok: boolean; name: string } }> }>
    }
    assert.deepEqual(status.weights, { blue: 0, green: 100 })
    const green = status.colours.find((c) => c.colour === 'green')
    assert.equal(green?.nodes.length, 2)
    for (const node of green?.nodes ?? []) assert.equal(node.health.name, name(2))
  })

  it('rollback switches the Service back to blue', async () => {
    const result = await project.run(['rollback', '--json'])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal(liveColour(), 'blue')
  })

  it('retire scales the idle Deployment to 0 and its pods go away', async () => {
    const result = await project.run(['retire'])
    assert.equal(result.exitCode, 0, result.stderr)
    const green = project.api.get('deployments', project.namespace, `${project.service}-green`)
    assert.equal(green.spec.replicas, 0)
    const pods = project.api
      .list('pods', project.namespace)
      .filter((p) => p.metadata.labels['gwdeploy.dev/colour'] === 'green')
    assert.deepEqual(pods, [])
    assert.equal(liveColour(), 'blue')
  })

  it('lock contention: a second run exits 3 naming the Lease holder; the first releases it', async () => {
    const first = spawn(process.execPath, [RUN_JS, 'release', '--sha', sha(3)], {
      cwd: project.dir,
      env: { ...process.env, ...project.env, CI: 'true', GWDEPLOY_TEST_PAUSE_AT: 'provision' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    const done = new Promise<number | null>((resolve) => first.on('close', resolve))
    await new Promise<void>((resolve, reject) => {
      first.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk
        if (stderr.includes('paused at provision')) resolve()
      })
      first.on('close', () => reject(new Error(`first run ended early: ${stderr}`)))
    })
    const lease = project.api.get('leases', project.namespace, `${project.service}-gwdeploy-lock`)
    assert.match(lease.spec.renewTime, /\.\d{6}Z$/)
    const second = await project.run(['release', '--sha', sha(3)])
    assert.equal(second.exitCode, 3, second.stderr)
    assert.match(second.stderr, new RegExp(`pid ${first.pid}`))
    first.kill('SIGTERM')
    assert.equal(await done, 130)
    const status = await project.run(['lock', 'status', '--json'])
    assert.equal(envelope(status).result && (envelope(status).result as { lock: unknown }).lock, null)
  })

  it('crash before the switch: a re-run takes over the expired Lease and converges', async () => {
    await project.writeConfig({ top: { lock: { ttl: '2s' } } })
    const crashed = await project.run(['release', '--sha', sha(3)], { GWDEPLOY_TEST_KILL_AT: 'shift' })
    assert.equal(crashed.exitCode, null)
    assert.equal(liveColour(), 'blue', 'traffic untouched by the crashed run')
    const again = await project.run(['release', '--sha', sha(3), '--lock-wait', '30s'])
    assert.equal(again.exitCode, 0, again.stderr)
    assert.equal(liveColour(), 'green')
    const green = project.api.get('deployments', project.namespace, `${project.service}-green`)
    assert.equal(green.metadata.labels['gwdeploy.dev/sha'], sha(3))
  })

  it('retire --delete deletes the idle Deployment (plain retire keeps it at 0 replicas)', async () => {
    assert.ok(project.api.get('deployments', project.namespace, `${project.service}-blue`))
    const result = await project.run(['retire', '--delete'])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal(project.api.get('deployments', project.namespace, `${project.service}-blue`), undefined)
    assert.equal(liveColour(), 'green')
  })

  it('a rollout past its progress deadline fails with exit 4, traffic untouched; --keep-failed keeps it', async () => {
    await project.writeConfig({ provider: { progressDeadline: '2s' } })
    project.api.kubelet.brokenImages.add(project.repository)
    try {
      const result = await project.run(['release', '--sha', sha(4), '--keep-failed'])
      assert.equal(result.exitCode, 4, result.stderr)
      assert.match(result.stderr, /ProgressDeadlineExceeded|progress deadline/)
      assert.match(result.stderr, /ErrImagePull/)
      assert.doesNotMatch(result.stderr, /tearing down/)
      assert.equal(liveColour(), 'green')
      const blue = project.api.get('deployments', project.namespace, `${project.service}-blue`)
      assert.equal(blue.metadata.labels['gwdeploy.dev/sha'], sha(4))
      assert.equal(blue.spec.replicas, 2, 'kept at its replicas for debugging')
      const stuck = project.api
        .list('pods', project.namespace)
        .filter((p) => p.metadata.labels['gwdeploy.dev/colour'] === 'blue')
      assert.equal(stuck.length, 2)
    } finally {
      project.api.kubelet.brokenImages.clear()
    }
  })

  it('without --keep-failed the engine tears the failed rollout down (scaled to 0)', async () => {
    project.api.kubelet.brokenImages.add(project.repository)
    try {
      // Same SHA: the kept Deployment is reused, its rollout is still past the deadline.
      const result = await project.run(['release', '--sha', sha(4)])
      assert.equal(result.exitCode, 4, result.stderr)
      assert.match(result.stderr, /progress deadline/)
      assert.match(result.stderr, /tearing down blue/)
      assert.equal(liveColour(), 'green')
      const blue = project.api.get('deployments', project.namespace, `${project.service}-blue`)
      assert.equal(blue.spec.replicas, 0, 'the failed colour is scaled to 0')
    } finally {
      project.api.kubelet.brokenImages.clear()
    }
  })

  it("bake: the error ratio read from the pods' gateway metrics rolls a failing release back (exit 5)", async () => {
    // /v1/ping's backend (127.0.0.1:9 inside the pod) refuses connections: every client request
    // is a 5xx. Health and smoke checks pass, so only the bake's error ratio can catch it.
    await project.writeConfig({ top: { shift: { bake: '60s' } } })
    const release = project.run(['release', '--sha', sha(5)])
    let finished = false
    void release.finally(() => {
      finished = true
    })
    const proxied = `/api/v1/namespaces/${project.namespace}/services/${project.service}:http/proxy/v1/ping`
    const statuses = new Map<number, number>()
    for (let i = 0; i < 1_000 && !finished; i++) {
      if (liveColour() === 'blue') {
        const { status } = await project.api.fetch(proxied)
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const result = await release
    assert.equal(result.exitCode, 5, result.stderr)
    assert.match(result.stderr, /failed during bake at 100%: error ratio 100\.0% \((\d+)\/\1\)/)
    assert.ok(
      [...statuses.keys()].every((status) => status >= 500),
      JSON.stringify([...statuses]),
    )
    assert.equal(liveColour(), 'green', 'the live Service selects the previous colour again')
    const blue = project.api.get('deployments', project.namespace, `${project.service}-blue`)
    assert.equal(blue.spec.replicas, 0, 'the failed colour is torn down')
  })
})
