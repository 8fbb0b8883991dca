import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { envelope, RUN_JS } from '../helpers/cli.ts'
import { requireKubectl } from '../helpers/services.ts'
import {
  auditedRequests,
  makeRealKubeProject,
  type RealKubeProject,
  sha,
  shippedRolePermissions,
} from '../providers/kubernetes/real-project.ts'

// The kubernetes provider against a real cluster (scripts/k8s/cluster.sh: etcd, kube-apiserver,
// controller-manager, scheduler, kubelet + containerd), through the CLI (bin/run.js), as a
// ServiceAccount bound to the shipped Role. Pods run the image gwdeploy built and pushed to the
// test registry; the real Deployment controller decides rollout progress and failure.
// Few release records are kept, so this test's operations prune the oldest ConfigMaps (the
// Role's `delete configmaps` is used, as it is after 200 records with the default records.keep).
const KEEP = 5

describe('kubernetes provider against a real cluster: release, rollback, retire, lock, failures', () => {
  let project: RealKubeProject
  const writeConfig = (
    overrides: { provider?: Record<string, unknown>; top?: Record<string, unknown> } = {},
  ) => project.writeConfig({ ...overrides, top: { records: { keep: KEEP }, ...overrides.top } })
  before(async () => {
    project = await makeRealKubeProject()
    await writeConfig()
  })
  after(async () => {
    await project?.cleanup()
  })

  const name = (n: number) => `${project.service} rev-${sha(n).slice(0, 7)}`
  const healthName = async () => {
    const answer = await project.viaService('/__health')
    assert.equal(answer.status, 200, answer.body)
    return (JSON.parse(answer.body) as { name: string }).name
  }

  it('releases the first SHA onto blue: real pods from the registry by digest, behind the live Service', async () => {
    const result = await project.run(['release', '--sha', sha(1), '--json'])
    assert.equal(result.exitCode, 0, result.stderr + result.stdout)
    const out = envelope(result).result as { status: string; colour: string; configName: string }
    assert.equal(out.status, 'released')
    assert.equal(out.colour, 'blue')
    const blue = await project.deployment('blue')
    assert.match(
      blue.spec.template.spec.containers[0].image,
      new RegExp(`^${project.repository}@sha256:[0-9a-f]{64}$`),
    )
    assert.equal(blue.status.readyReplicas, 2)
    const pods = await project.pods('blue')
    assert.equal(pods.length, 2)
    for (const pod of pods) {
      assert.equal(pod.spec.nodeName, project.cluster.node)
      assert.equal(pod.status.phase, 'Running')
      assert.match(pod.status.containerStatuses[0].imageID, /@sha256:[0-9a-f]{64}$/)
    }
    assert.equal(await project.liveColour(), 'blue')
    assert.equal(await healthName(), name(1))
  })

  it('--dry-run prints the manifests and changes nothing', async () => {
    const result = await project.run(['release', '--sha', sha(2), '--dry-run'])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.match(result.stdout, new RegExp(`name: ${project.service}-green`))
    assert.equal(await project.deployment('green'), undefined)
  })

  it('kubectl reads what gwdeploy created', async () => {
    const kubectl = await requireKubectl()
    const cache = await mkdtemp(join(tmpdir(), 'kubectl-cache-'))
    const { stdout } = await promisify(execFile)(
      kubectl.path,
      ['get', 'deployments,services,pods', '-n', project.namespace, '-o', 'json', '--cache-dir', cache],
      { env: { ...process.env, KUBECONFIG: project.cluster.kubeconfig } },
    )
    await rm(cache, { recursive: true, force: true })
    const list = JSON.parse(stdout) as { items: Array<{ kind: string; metadata: { name: string } }> }
    const names = list.items.map((item) => `${item.kind}/${item.metadata.name}`)
    assert.ok(names.includes(`Deployment/${project.service}-blue`), names.join(' '))
    assert.ok(names.includes(`Service/${project.service}`), names.join(' '))
    assert.ok(names.includes(`Service/${project.service}-preview`), names.join(' '))
    assert.equal(names.filter((n) => n.startsWith('Pod/')).length, 2, names.join(' '))
  })

  it('releases a second SHA onto green (weighted steps collapse with a warning); the Service reaches green; blue stays up', async () => {
    const result = await project.run(['release', '--sha', sha(2), '--steps', '10,50,100'])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.match(result.stderr, /routes 0\/100 only: shifting all at once/)
    assert.equal(await project.liveColour(), 'green')
    assert.equal(await healthName(), name(2))
    const blue = await project.deployment('blue')
    assert.equal(blue.spec.replicas, 2)
    assert.ok(blue.metadata.annotations['gwdeploy.dev/keep-until'], 'blue is annotated as kept for rollback')
    assert.equal((await project.pods('blue')).length, 2)
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
    assert.equal(await project.liveColour(), 'blue')
    assert.equal(await healthName(), name(1))
  })

  it('retire scales the idle Deployment to 0 and the kubelet stops its pods', async () => {
    const result = await project.run(['retire'])
    assert.equal(result.exitCode, 0, result.stderr)
    const green = await project.deployment('green')
    assert.equal(green.spec.replicas, 0)
    assert.deepEqual(await project.pods('green'), [])
    assert.equal(await project.liveColour(), 'blue')
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
    const lease = await project.get(
      `/apis/coordination.k8s.io/v1/namespaces/${project.namespace}/leases/${project.service}-gwdeploy-lock`,
    )
    assert.equal(lease.spec.holderIdentity.includes(String(first.pid)), true, JSON.stringify(lease.spec))
    const second = await project.run(['release', '--sha', sha(3)])
    assert.equal(second.exitCode, 3, second.stderr)
    assert.match(second.stderr, new RegExp(`pid ${first.pid}`))
    first.kill('SIGTERM')
    assert.equal(await done, 130)
    const status = await project.run(['lock', 'status', '--json'])
    assert.equal((envelope(status).result as { lock: unknown }).lock, null)
  })

  it('crash before the switch: a re-run takes over the expired Lease and converges', async () => {
    await writeConfig({ top: { lock: { ttl: '2s' } } })
    const crashed = await project.run(['release', '--sha', sha(3)], { GWDEPLOY_TEST_KILL_AT: 'shift' })
    assert.equal(crashed.exitCode, null, crashed.stderr)
    assert.equal(await project.liveColour(), 'blue', 'traffic untouched by the crashed run')
    const again = await project.run(['release', '--sha', sha(3), '--lock-wait', '30s'])
    assert.equal(again.exitCode, 0, again.stderr)
    assert.equal(await project.liveColour(), 'green')
    assert.equal(await healthName(), name(3))
  })

  it('retire --delete deletes the idle Deployment and its pods', async () => {
    assert.ok(await project.deployment('blue'))
    const result = await project.run(['retire', '--delete'])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal(await project.deployment('blue'), undefined)
    assert.deepEqual(await project.pods('blue'), [])
    assert.equal(await project.liveColour(), 'green')
  })

  it('a Deployment that never becomes ready fails at its progress deadline: exit 4, traffic untouched; --keep-failed keeps it', async () => {
    // The readiness probe asks for a path the gateway does not serve (404): the real Deployment
    // controller marks the rollout ProgressDeadlineExceeded. (expectName off: with it, release
    // refuses a health.path the gateway config does not serve before anything runs.)
    await writeConfig({
      top: { health: { path: '/not-served', deadline: '90s', expectName: false } },
      provider: { progressDeadline: '6s' },
    })
    const result = await project.run(['release', '--sha', sha(4), '--keep-failed'])
    assert.equal(result.exitCode, 4, result.stderr)
    assert.match(result.stderr, /progress deadline/)
    assert.match(result.stderr, /not ready/)
    // The failing pods' own logs: the kubelet's readiness probes of the unserved path.
    assert.match(result.stderr, /last log lines of .*-blue-[\s\S]*404 .*"\/not-served"/)
    assert.doesNotMatch(result.stderr, /tearing down/)
    assert.equal(await project.liveColour(), 'green')
    assert.equal(await healthName(), name(3))
    const blue = await project.deployment('blue')
    assert.equal(blue.metadata.labels['gwdeploy.dev/sha'], sha(4))
    assert.equal(blue.spec.replicas, 2, 'kept at its replicas for debugging')
    const progressing = blue.status.conditions.find((c: { type: string }) => c.type === 'Progressing')
    assert.equal(progressing.reason, 'ProgressDeadlineExceeded')
  })

  it('without --keep-failed the engine tears the failed rollout down (scaled to 0)', async () => {
    const result = await project.run(['release', '--sha', sha(4)])
    assert.equal(result.exitCode, 4, result.stderr)
    assert.match(result.stderr, /progress deadline/)
    assert.match(result.stderr, /tearing down blue/)
    assert.equal(await project.liveColour(), 'green')
    assert.equal(await healthName(), name(3))
    assert.equal((await project.deployment('blue')).spec.replicas, 0)
  })

  it("bake: the error ratio read from the pods' gateway metrics rolls a failing release back (exit 5)", async () => {
    // /v1/ping's backend (127.0.0.1:19 inside the pod) refuses connections: every client request
    // is a 5xx. Health and smoke checks pass, so only the bake's error ratio can catch it.
    await writeConfig({ top: { shift: { bake: '60s' } } })
    const release = project.run(['release', '--sha', sha(5)])
    let finished = false
    void release.finally(() => {
      finished = true
    })
    const statuses = new Map<number, number>()
    for (let i = 0; i < 1_000 && !finished; i++) {
      if ((await project.liveColour()) === 'blue') {
        const { status } = await project.viaService('/v1/ping')
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const result = await release
    assert.equal(result.exitCode, 5, result.stderr)
    assert.match(result.stderr, /failed during bake at 100%: error ratio/)
    assert.ok(statuses.size > 0, 'requests reached blue during the bake')
    assert.ok(
      [...statuses.keys()].every((status) => status >= 500),
      JSON.stringify([...statuses]),
    )
    assert.equal(await project.liveColour(), 'green', 'the live Service selects the previous colour again')
    assert.equal((await project.deployment('blue')).spec.replicas, 0, 'the failed colour is torn down')
  })

  it('destroy deletes the Services and the Deployments', async () => {
    const result = await project.run(['destroy', '--force'])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal(await project.liveColour(), undefined)
    assert.equal(await project.deployment('blue'), undefined)
    assert.equal(await project.deployment('green'), undefined)
  })

  it(`records: the newest ${KEEP} operations and all since the release before the last live one are kept (older ones deleted by the ServiceAccount); history reads them`, async () => {
    const selector = encodeURIComponent('gwdeploy.dev/record=release')
    const maps = (
      (await project.get(`/api/v1/namespaces/${project.namespace}/configmaps?labelSelector=${selector}`)) as {
        items: Array<{ data: Record<string, string> }>
      }
    ).items
    const result = await project.run(['history', '--json'])
    assert.equal(result.exitCode, 0, result.stderr)
    const history = envelope(result).result as Array<{
      operation: string
      status: string
      sha?: string
      time: string
    }>
    assert.equal(history.length, maps.length)
    assert.ok(history.length > KEEP, JSON.stringify(history))
    assert.equal(history[0]?.operation, 'destroy', 'newest first')
    // 3 was the last live release, and the release before it is 1 by the rollback to it: records.keep
    // keeps that rollback and everything since (rollback --to, status), nothing older.
    const oldest = history.at(-1)
    assert.deepEqual([oldest?.operation, oldest?.sha, oldest?.status], ['rollback', sha(1), 'switched'])
    assert.ok(
      !history.some((r) => r.operation === 'release' && (r.sha === sha(1) || r.sha === sha(2))),
      `the first releases' records were pruned: ${JSON.stringify(history)}`,
    )
    assert.deepEqual(
      maps.map((m) => JSON.parse(m.data['record.json'] ?? '{}').time).sort(),
      history.map((r) => r.time).sort(),
    )
  })

  it('the shipped Role was sufficient (nothing forbidden) and minimal (every verb it grants was used)', async () => {
    // The API server's audit log holds every request of this namespace's ServiceAccount.
    const requests = await auditedRequests(project.namespace)
    assert.ok(requests.length > 0, 'the audit log has the ServiceAccount requests')
    const denied = requests.filter((r) => r.code === 401 || r.code === 403)
    assert.deepEqual(denied, [], 'requests the Role did not allow')
    // The release preflight's SelfSubjectRulesReview (what may I do here?) is allowed to every
    // authenticated user (the system:basic-user ClusterRole): no verb of the Role.
    const review = 'authorization.k8s.io selfsubjectrulesreviews create'
    assert.ok(
      requests.some((r) => r.permission === review),
      'the release preflight asked for its rules',
    )
    const used = [...new Set(requests.map((r) => r.permission))].filter((p) => p !== review).sort()
    // pods/portforward is used only with auth/revoker (revoker-kubernetes.test.ts), which this
    // config has not; its websocket `create` check is not in the audit log (the request's verb is get).
    const revokerOnly = (permission: string) => permission.startsWith('core pods/portforward ')
    assert.deepEqual(
      used,
      (await shippedRolePermissions()).filter((p) => !revokerOnly(p)),
    )
  })
})
