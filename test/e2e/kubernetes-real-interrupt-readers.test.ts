import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { envelope } from '../helpers/cli.ts'
import { type HeldRequest, type HoldingProxy, holdingProxy } from '../providers/kubernetes/holding-proxy.ts'
import { assertInterrupted, interruptWhenHeld } from '../providers/kubernetes/interrupt-when-held.ts'
import { makeRealKubeProject, type RealKubeProject, sha } from '../providers/kubernetes/real-project.ts'

// Ctrl-C (SIGTERM here) while the real API server, through a proxy, leaves one call of a command
// unanswered: the release records read by history and status, a pod's log, the dry run's reads,
// breaking the lock, the keep-until annotation after the switch. Each used to wait for the call's
// deadline (120 s here) before it noticed the interrupt. One namespace, one release.
describe('kubernetes against a real cluster: Ctrl-C while one API call hangs', () => {
  let project: RealKubeProject
  let proxy: HoldingProxy
  const cmPath = () => `/api/v1/namespaces/${project.namespace}/configmaps?`
  const leasePath = () =>
    `/apis/coordination.k8s.io/v1/namespaces/${project.namespace}/leases/${project.service}-gwdeploy-lock`

  before(async () => {
    project = await makeRealKubeProject()
    const first = await project.run(['release', '--sha', sha(1)])
    assert.equal(first.exitCode, 0, first.stderr)
    proxy = await holdingProxy(project.cluster.server, project.cluster.ca)
  })
  after(async () => {
    await proxy?.close()
    await project?.cleanup()
  })

  const run = (args: string[], hold: (request: HeldRequest) => boolean) =>
    interruptWhenHeld(project, proxy, args, hold)

  it('history: SIGTERM while the records are listed is exit 130; the records are intact', async () => {
    const result = await run(['history'], (r) => r.method === 'GET' && r.path.startsWith(cmPath()))
    assertInterrupted(result)
    const history = envelope(await project.run(['history', '--json'])).result as Array<{ sha: string }>
    assert.equal(history[0]?.sha, sha(1))
  })

  it('status: SIGTERM while it reads the records (after the fleets) is exit 130, not a warning', async () => {
    const result = await run(['status'], (r) => r.method === 'GET' && r.path.startsWith(cmPath()))
    assertInterrupted(result)
    assert.doesNotMatch(result.stderr, /going on without them/)
  })

  it("status: SIGTERM while it probes a pod's health through the API server is exit 130, not the probe's failure", async () => {
    // A probe's own timeout far beyond the bound: only the interrupt ends it in time.
    const result = await interruptWhenHeld(
      project,
      proxy,
      ['status'],
      (r) => r.method === 'GET' && /\/proxy\/__health$/.test(r.path),
      { health: { interval: '200ms', timeout: '60s', rise: 2, deadline: '90s' } },
    )
    assertInterrupted(result)
  })

  it('logs: SIGTERM while a pod log is read is exit 130 (it was exit 0 with no lines, after the deadline)', async () => {
    const result = await run(['logs', '-n', '5'], (r) => /\/pods\/[^/]+\/log\?/.test(r.path))
    assertInterrupted(result)
  })

  it('release --dry-run: SIGTERM while it reads the target is exit 130', async () => {
    const result = await run(
      ['release', '--sha', sha(2), '--dry-run'],
      (r) => r.method === 'GET' && r.path.includes('/deployments/'),
    )
    assertInterrupted(result)
  })

  it('lock release on a freeze: SIGTERM while the Lease is deleted is exit 130 saying the lock may not be broken; it is intact', async () => {
    const frozen = await project.run(['lock', 'acquire', '-m', 'hands off'])
    assert.equal(frozen.exitCode, 0, frozen.stderr)
    const result = await run(
      ['lock', 'release'],
      (r) => r.method === 'DELETE' && r.path.startsWith(leasePath()),
    )
    assertInterrupted(result)
    assert.match(result.stderr, /while breaking the lock/)
    assert.match(result.stderr, /may or may not be broken: `gwdeploy lock status` says which/)
    // The held delete never reached the API server: the freeze stands, and lifts as usual.
    assert.ok((await project.get(leasePath()))?.spec.holderIdentity, 'the freeze is intact')
    const lifted = await project.run(['lock', 'release'])
    assert.equal(lifted.exitCode, 0, lifted.stderr)
    assert.equal(await project.get(leasePath()), undefined)
  })

  it('release: SIGTERM while the keep-until annotation is written after the switch: live, listed as unfinished (exit 8), recorded, the Lease released', async () => {
    const result = await run(
      ['release', '--sha', sha(2)],
      (r) => r.method === 'PATCH' && r.path.includes('/deployments/') && r.body.includes('keep-until'),
    )
    assert.equal(result.code, 8, result.stderr)
    assert.match(
      result.stderr,
      /did not finish: annotate the colours \(previous kept for rollback\): interrupted by SIGTERM/,
    )
    assert.equal(await project.liveColour(), 'green')
    assert.equal(await project.get(leasePath()), undefined, 'the Lease is released')
    const history = envelope(await project.run(['history', '--json'])).result as Array<{
      sha: string
      status: string
      unfinished?: string[]
    }>
    assert.deepEqual([history[0]?.sha, history[0]?.status], [sha(2), 'released'])
    assert.match(history[0]?.unfinished?.join('; ') ?? '', /interrupted by SIGTERM/)
  })

  it('retire: SIGTERM while the Lease it just took is read back is exit 130, the Lease released, blue (idle, kept for rollback) not retired', async () => {
    const before = (await project.deployment('blue'))?.spec.replicas
    assert.ok(before > 0, 'blue is up, kept for rollback')
    const result = await run(['retire'], (r) => r.method === 'GET' && r.path.startsWith(leasePath()))
    assertInterrupted(result)
    assert.equal(await project.get(leasePath()), undefined, 'the Lease is released')
    assert.equal((await project.deployment('blue'))?.spec.replicas, before)
  })
})
