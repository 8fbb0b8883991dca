import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { envelope } from '../helpers/cli.ts'
import { requireRegistry, serviceEnv } from '../helpers/services.ts'
import {
  makeRealKubeProject,
  type Obj,
  type RealKubeProject,
  sha,
} from '../providers/kubernetes/real-project.ts'

// The operator at 3 a.m. against the real cluster: green pods that Kubernetes already knows can
// never become ready (a container that crash-loops, pods no node takes, pods a ResourceQuota
// refuses, an image the registry no longer has). Each release fails with Kubernetes' own reason
// and the way out, exit 4, blue serving, green scaled to 0 — not after the progress deadline
// (set to 200 s here, longer than any of these runs may take) with only "ProgressDeadlineExceeded".
// One namespace: blue live first, then each case.
describe('kubernetes provider against a real cluster: green pods that cannot become ready', () => {
  let project: RealKubeProject
  const ns = () => `/api/v1/namespaces/${project.namespace}`
  const name = (n: number) => `${project.service} rev-${sha(n).slice(0, 7)}`
  const healthName = async () => {
    const answer = await project.viaService('/__health')
    assert.equal(answer.status, 200, answer.body)
    return (JSON.parse(answer.body) as { name: string }).name
  }
  const admin = async (method: string, path: string, body?: unknown, contentType?: string) => {
    const answer = await project.cluster.call(method, path, body, contentType)
    assert.ok(answer.status < 300, `${method} ${path}: ${answer.status} ${answer.body}`)
    return answer.json<Obj>()
  }
  const writeConfig = (
    overrides: { provider?: Record<string, unknown>; top?: Record<string, unknown> } = {},
    deadline = '60s',
  ) =>
    project.writeConfig({
      top: {
        // The minimum: the retire below and two failed releases come before the rollback case, which
        // needs the release before the live one still recorded (records.keep never prunes it).
        records: { keep: 5 },
        health: { interval: '200ms', timeout: '2s', rise: 2, deadline },
        ...overrides.top,
      },
      provider: { progressDeadline: '200s', ...overrides.provider },
    })
  /** `live` still serves release n and the other colour is scaled to 0: nothing was left half-changed. */
  const serves = async (live: 'blue' | 'green', n: number) => {
    assert.equal(await project.liveColour(), live)
    assert.equal(await healthName(), name(n))
    const failed = await project.deployment(live === 'blue' ? 'green' : 'blue')
    if (failed) assert.equal(failed.spec.replicas, 0, 'the failed colour is scaled to 0')
  }

  before(async () => {
    project = await makeRealKubeProject()
    await writeConfig()
    const result = await project.run(['release', '--sha', sha(1)])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal(await project.liveColour(), 'blue')
  })
  after(async () => {
    await project?.cleanup()
  })

  it('a green container that crash-loops fails the release at once: exit code and its last log lines', async () => {
    await writeConfig({
      top: { fleet: { size: 2, port: 8080, env: { NODE_OPTIONS: '--no-such-node-flag' } } },
    })
    const result = await project.run(['release', '--sha', sha(2), '--keep-failed', '--json'])
    assert.equal(result.exitCode, 4, result.stderr + result.stdout)
    const error = envelope(result).error
    assert.match(
      error?.message ?? '',
      new RegExp(
        `green \\(green, ${sha(2).slice(0, 7)}\\): pod ${project.namespace}/${project.service}-green-\\S+: CrashLoopBackOff: the gateway container exited with code 9`,
      ),
    )
    assert.doesNotMatch(error?.message ?? '', /progress deadline/)
    assert.match(error?.hint ?? '', /Traffic was not touched/)
    assert.match(
      error?.hint ?? '',
      /--- last log lines of \S+-green-[\s\S]*--no-such-node-flag is not allowed in NODE_OPTIONS/,
    )
    assert.equal(await project.liveColour(), 'blue')
    assert.equal(await healthName(), name(1))
    assert.equal((await project.deployment('green')).spec.replicas, 2, 'kept (--keep-failed)')
  })

  it('fleet.env fixed, the same SHA again: the kept crash-looping pods of the old template do not fail the new rollout', async () => {
    await writeConfig()
    const result = await project.run(['release', '--sha', sha(2)])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal(await project.liveColour(), 'green')
    assert.equal(await healthName(), name(2))
    const blue = await project.deployment('blue')
    assert.equal(blue.spec.replicas, 2, 'blue is kept for rollback')
  })

  it("the kept colour scaled to 0 by hand: status warns that rollback is no longer a switch; gwdeploy's own retire does not", async () => {
    const blue = `${project.service}-blue`
    const scale = `/apis/apps/v1/namespaces/${project.namespace}/deployments/${blue}/scale`
    const keptWarnings = async () => {
      const status = await project.run(['status', '--json'])
      assert.equal(status.exitCode, 0, status.stderr + status.stdout)
      return envelope(status).warnings.filter((w: string) => w.includes('is kept for rollback'))
    }
    const keepUntil = (await project.deployment('blue')).metadata.annotations['gwdeploy.dev/keep-until']
    assert.ok(keepUntil, 'blue carries its keep-until')
    await admin('PATCH', scale, { spec: { replicas: 0 } }, 'application/merge-patch+json')
    const [warning] = await keptWarnings()
    assert.match(
      warning ?? '',
      new RegExp(
        `^blue \\(${sha(1).slice(0, 7)}\\) is kept for rollback until ${keepUntil.replace(/\./g, '\\.')}, but Deployment ${project.namespace}/${blue} has 0 replicas \\(scaled to 0 outside gwdeploy\\): \`gwdeploy rollback\` redeploys ${sha(1).slice(0, 7)} as recorded`,
      ),
    )
    assert.match(
      warning ?? '',
      new RegExp(`kubectl scale deployment ${blue} -n ${project.namespace} --replicas=2`),
    )
    await admin('PATCH', scale, { spec: { replicas: 2 } }, 'application/merge-patch+json')
    const retired = await project.run(['retire'])
    assert.equal(retired.exitCode, 0, retired.stderr)
    assert.equal((await project.deployment('blue')).spec.replicas, 0)
    assert.deepEqual(await keptWarnings(), [])
  })

  it("blue pods no node can take (a nodeSelector nothing matches): the scheduler's reason after health.deadline", async () => {
    await writeConfig({ provider: { nodeSelector: { 'gwdeploy.dev/test-pool': 'nowhere' } } }, '5s')
    const result = await project.run(['release', '--sha', sha(3), '--json'])
    assert.equal(result.exitCode, 4, result.stderr + result.stdout)
    const error = envelope(result).error
    assert.match(
      error?.message ?? '',
      /pod \S+-blue-\S+: Unschedulable: 0\/1 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector/,
    )
    assert.match(error?.hint ?? '', /provider\.kubernetes\.nodeSelector/)
    await serves('green', 2)
  })

  it('blue pods a ResourceQuota refuses (green holds the quota): FailedCreate with the quota named', async () => {
    const quotas = `${ns()}/resourcequotas`
    await admin('POST', quotas, { metadata: { name: 'two-pods' }, spec: { hard: { pods: '2' } } })
    try {
      await writeConfig({}, '5s')
      const result = await project.run(['release', '--sha', sha(4), '--json'])
      assert.equal(result.exitCode, 4, result.stderr + result.stdout)
      const error = envelope(result).error
      assert.match(
        error?.message ?? '',
        new RegExp(
          `Deployment ${project.namespace}/${project.service}-blue: FailedCreate: pods "\\S+" is forbidden: exceeded quota: two-pods`,
        ),
      )
      assert.match(error?.hint ?? '', new RegExp(`kubectl describe resourcequota -n ${project.namespace}`))
      assert.match(error?.hint ?? '', /the quota must hold both/)
    } finally {
      await admin('DELETE', `${quotas}/two-pods`)
    }
    await serves('green', 2)
  })

  it('a rollback that redeploys a release whose image the registry lost: ErrImagePull named, the rebuild as the way out', async () => {
    await writeConfig()
    const second = await project.run(['release', '--sha', sha(5)])
    assert.equal(second.exitCode, 0, second.stderr)
    assert.equal(await project.liveColour(), 'blue')
    // The kept green's Deployment deleted by hand, its image gone from the registry and from the node.
    const image: string = (await project.deployment('green')).spec.template.spec.containers[0].image
    await admin(
      'DELETE',
      `/apis/apps/v1/namespaces/${project.namespace}/deployments/${project.service}-green`,
    )
    await forgetImage(image)
    // The warning names the Deployment, kubectl-ready; its keep-until went with it: the record's time + shift.keep (30m).
    const [newest] = envelope(await project.run(['history', '--json'])).result as Array<{ time: string }>
    const until = new Date(Date.parse(newest?.time ?? '') + 30 * 60_000).toISOString()
    const status = await project.run(['status', '--json'])
    assert.equal(status.exitCode, 0, status.stderr + status.stdout)
    assert.ok(
      envelope(status).warnings.includes(
        `green (${sha(2).slice(0, 7)}) is kept for rollback until ${until}, but its Deployment ${project.namespace}/${project.service}-green does not exist (deleted outside gwdeploy): \`gwdeploy rollback\` redeploys ${sha(2).slice(0, 7)} as recorded (a new deploy, not an instant switch)`,
      ),
      JSON.stringify(envelope(status).warnings),
    )
    const rollback = await project.run(['rollback', '--json'])
    assert.equal(rollback.exitCode, 4, rollback.stderr + rollback.stdout)
    const error = envelope(rollback).error
    assert.match(
      error?.message ?? '',
      new RegExp(
        `pod \\S+-green-\\S+: cannot pull ${image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\((ErrImagePull|ImagePullBackOff)\\): .*not found`,
      ),
    )
    assert.match(
      error?.hint ?? '',
      new RegExp(`\`gwdeploy release --sha ${sha(2)}\` builds and pushes it again`),
    )
    assert.equal(await project.liveColour(), 'blue')
    assert.equal(await healthName(), name(5))
  })

  it("the live colour's Deployment scaled to 0 by hand: status exit 6, nothing is served, naming it and the way out, not 'no fleets'", async () => {
    const blue = `${project.service}-blue`
    const scale = `/apis/apps/v1/namespaces/${project.namespace}/deployments/${blue}/scale`
    await admin('PATCH', scale, { spec: { replicas: 0 } }, 'application/merge-patch+json')
    const status = await project.run(['status', '--json'])
    assert.equal(status.exitCode, 6, status.stderr + status.stdout)
    assert.match(
      envelope(status).error?.message ?? '',
      /^nothing is served: blue \(\w{7}\) gets 100% of requests, but none of its 2 node\(s\) is left/,
    )
    const text = JSON.stringify(envelope(status))
    assert.match(
      text,
      new RegExp(
        `Deployment ${project.namespace}/${blue} has 0 replicas \\(scaled to 0 outside gwdeploy\\) while the live Service selects it: clients get no answer; \`kubectl scale deployment ${blue} -n ${project.namespace} --replicas=2\``,
      ),
    )
    // The way out it names.
    await admin('PATCH', scale, { spec: { replicas: 2 } }, 'application/merge-patch+json')
    for (
      let i = 0;
      (await project.pods('blue')).filter((p) => p.status.containerStatuses?.[0]?.ready).length < 2;
      i++
    ) {
      assert.ok(i < 120, 'blue is ready again')
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    const again = await project.run(['status'])
    assert.equal(again.exitCode, 0, again.stderr)
    assert.equal(await healthName(), name(5))
  })

  it("the live colour's Deployment deleted by hand: status exit 6, nothing is served, naming it and the way out; that way out serves again", async () => {
    await admin('DELETE', `/apis/apps/v1/namespaces/${project.namespace}/deployments/${project.service}-blue`)
    const status = await project.run(['status', '--json'])
    assert.equal(status.exitCode, 6, status.stderr + status.stdout)
    const error = envelope(status).error as { message: string; hint: string }
    assert.equal(
      error.message,
      `nothing is served: blue gets 100% of requests, but Service ${project.namespace}/${project.service} selects it and its Deployment ${project.namespace}/${project.service}-blue does not exist (deleted outside gwdeploy): clients get no answer`,
    )
    // records.keep never prunes the release before the live one: rollback is a way out too.
    assert.equal(
      error.hint,
      `\`gwdeploy rollback\` redeploys ${sha(2).slice(0, 7)} as recorded (a new deploy, not an instant switch); or \`gwdeploy release --sha ${sha(5)}\` brings ${sha(5).slice(0, 7)} back.`,
    )
    const repair = await project.run(['release', '--sha', sha(5)])
    assert.equal(repair.exitCode, 0, repair.stderr)
    assert.equal(await healthName(), name(5))
    const again = await project.run(['status'])
    assert.equal(again.exitCode, 0, again.stderr)
  })
})

/** A registry that lost an image (deleted, garbage-collected) and a node that no longer caches it. */
async function forgetImage(image: string): Promise<void> {
  const registry = await requireRegistry()
  const [repository, digest] = image.split('@') as [string, string]
  const path = repository.slice(registry.host.length + 1)
  const answer = await fetch(`http://${registry.host}/v2/${path}/manifests/${digest}`, { method: 'DELETE' })
  assert.equal(answer.status, 202, `registry DELETE ${image}: ${answer.status}`)
  const socket = serviceEnv('GWDEPLOY_TEST_KUBE_CONTAINERD') ?? '/run/gwdeploy-test/k8s/containerd.sock'
  assert.ok(existsSync(socket), `the test node's containerd socket ${socket} (scripts/k8s/cluster.sh)`)
  const ctr = (...args: string[]) =>
    promisify(execFile)('ctr', ['--address', socket, '--namespace', 'k8s.io', ...args])
  const { stdout } = await ctr('images', 'ls')
  const refs = stdout
    .split('\n')
    .map((line) => line.split(/\s+/))
    .filter((columns) => columns[2] === digest)
    .map((columns) => columns[0] as string)
  assert.ok(refs.length > 0, `the node has ${image}`)
  await ctr('images', 'rm', '--sync', ...refs)
}
