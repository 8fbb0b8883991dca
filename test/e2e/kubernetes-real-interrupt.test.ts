import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { envelope, RUN_JS } from '../helpers/cli.ts'
import { makeRealKubeProject, type RealKubeProject, sha } from '../providers/kubernetes/real-project.ts'
import { stallingProxy } from '../providers/kubernetes/stalling-proxy.ts'

// The operator's Ctrl-C and kill -9 against the real cluster: a release interrupted while its
// green Deployment rolls out and an API call hangs, and the Lease a SIGKILLed release leaves
// behind. One namespace.
describe('kubernetes provider against a real cluster: interrupts and a dead lock holder', () => {
  let project: RealKubeProject
  const leasePath = () =>
    `/apis/coordination.k8s.io/v1/namespaces/${project.namespace}/leases/${project.service}-gwdeploy-lock`
  const healthName = async () => {
    const answer = await project.viaService('/__health')
    assert.equal(answer.status, 200, answer.body)
    return (JSON.parse(answer.body) as { name: string }).name
  }

  before(async () => {
    project = await makeRealKubeProject()
    const first = await project.run(['release', '--sha', sha(1)])
    assert.equal(first.exitCode, 0, first.stderr)
  })
  after(async () => project?.cleanup())

  /**
   * `release --sha` through a proxy in front of the API server that stops answering once stderr
   * matches `when` (the call in flight hangs, as on an overloaded API server); SIGTERM once calls
   * hang, then the proxy answers again (the cleanup's calls). The exit code within a bound far
   * below the calls' 120 s deadline ('still running' past it), and stderr.
   */
  async function interruptWhileHanging(
    releaseSha: string,
    when: RegExp,
    top: Record<string, unknown> = {},
  ): Promise<{ code: number | null | 'still running'; stderr: string }> {
    const proxy = await stallingProxy(project.cluster.server)
    const kubeconfig = await readFile(join(project.dir, 'kubeconfig.yaml'), 'utf8')
    const proxied = kubeconfig.replace(`server: ${project.cluster.server}`, `server: ${proxy.url}`)
    assert.notEqual(proxied, kubeconfig)
    await writeFile(join(project.dir, 'kubeconfig-proxy.yaml'), proxied)
    await project.writeConfig({ top, provider: { kubeconfig: 'kubeconfig-proxy.yaml' } })
    const child = spawn(process.execPath, [RUN_JS, 'release', '--sha', releaseSha], {
      cwd: project.dir,
      env: { ...process.env, ...project.env, CI: 'true', GWDEPLOY_KUBE_API_TIMEOUT: '120' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    try {
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk
          if (when.test(stderr)) resolve()
        })
        child.on('close', () => reject(new Error(`the release ended before ${when}: ${stderr}`)))
      })
      // The run's next call (every 0.5 s or less) and the lock watch's (every 2 s) get no answer.
      proxy.stall(true)
      for (let waited = 0; proxy.held() < 2; waited += 100) {
        assert.ok(waited < 30_000, `no call held: ${stderr}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      child.kill('SIGTERM')
      proxy.stall(false)
      // Bounded (the teardown waits for green's pods to stop); a run still going after it did not stop.
      const code = await Promise.race([
        exited,
        new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 60_000).unref()),
      ])
      return { code, stderr }
    } finally {
      child.kill('SIGKILL')
      await proxy.close()
      await project.writeConfig()
    }
  }

  // The call in flight used to hold the run until its deadline (or until undici's 10 s connect
  // timeout failed it with exit 6).
  it('SIGTERM while green rolls out and an API call hangs: exit 130, traffic stays on blue, green torn down, the Lease released', async () => {
    const { code, stderr } = await interruptWhileHanging(sha(2), /rollout of \S+-green/)
    assert.equal(code, 130, stderr)
    assert.match(stderr, /SIGTERM: stopping and cleaning up/)
    assert.match(stderr, /interrupted by SIGTERM/)
    assert.equal(await project.liveColour(), 'blue')
    assert.equal(await healthName(), `${project.service} rev-${sha(1).slice(0, 7)}`)
    assert.equal(await project.get(leasePath()), undefined, 'the Lease is released')
    assert.equal((await project.deployment('green'))?.spec.replicas ?? 0, 0, 'green is torn down')
    const history = await project.run(['history', '--json'])
    const newest = (envelope(history).result as Array<{ sha: string; status: string }>)[0]
    assert.deepEqual([newest?.sha, newest?.status], [sha(2), 'interrupted'])
  })

  it('kill -9 leaves the Lease: lock status, status and the next release say its holder is dead and how to take it over', async () => {
    const killed = await project.run(['release', '--sha', sha(3)], { GWDEPLOY_TEST_KILL_AT: 'provision' })
    assert.equal(killed.exitCode, null, killed.stderr)
    const lease = await project.get(leasePath())
    assert.ok(lease?.spec.holderIdentity, 'the dead run left its Lease')

    const lockText = await project.run(['lock', 'status'])
    assert.equal(lockText.exitCode, 0, lockText.stderr)
    assert.match(
      lockText.stdout,
      /DEAD: its process on this host is gone; `gwdeploy lock release --force` takes it over/,
    )
    const lockJson = envelope(await project.run(['lock', 'status', '--json'])).result as {
      lock: { holder: string; dead?: boolean; takeover?: string }
    }
    assert.equal(lockJson.lock.holder, lease.spec.holderIdentity)
    assert.equal(lockJson.lock.dead, true)
    assert.match(lockJson.lock.takeover ?? '', /gwdeploy lock release --force/)

    const statusText = await project.run(['status'])
    assert.match(statusText.stdout, /lock: held by .*DEAD: its process on this host is gone/)

    const blocked = await project.run(['release', '--sha', sha(3)])
    assert.equal(blocked.exitCode, 3, blocked.stderr)
    assert.match(blocked.stderr, /held by a run whose process on this host is gone \(killed or crashed\): /)
    assert.match(blocked.stderr, /`gwdeploy lock release --force`.* takes it over, then re-run/)

    const unforced = await project.run(['lock', 'release'])
    assert.equal(unforced.exitCode, 3, unforced.stderr)
    assert.match(unforced.stderr, /held by a run whose process on this host is gone: /)

    // The command the messages name takes the lock over; the release then runs.
    const broken = await project.run(['lock', 'release', '--force'])
    assert.equal(broken.exitCode, 0, broken.stderr)
    const released = await project.run(['release', '--sha', sha(3)])
    assert.equal(released.exitCode, 0, released.stderr)
    assert.equal(await healthName(), `${project.service} rev-${sha(3).slice(0, 7)}`)
  })

  // Watching green after the switch: the bake's node health and traffic reads were not stopped.
  it('SIGTERM during the bake while an API call hangs: exit 130, traffic back on the colour that served, the Lease released', async () => {
    const serving = await project.liveColour()
    const { code, stderr } = await interruptWhileHanging(sha(4), /baking for/, { shift: { bake: '5m' } })
    assert.equal(code, 130, stderr)
    assert.match(stderr, /interrupted by SIGTERM/)
    assert.equal(await project.liveColour(), serving)
    assert.equal(await healthName(), `${project.service} rev-${sha(3).slice(0, 7)}`)
    assert.equal(await project.get(leasePath()), undefined, 'the Lease is released')
  })
})
