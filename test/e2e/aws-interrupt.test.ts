/**
 * Ctrl-C on aws while an AWS API call gets no answer: the built CLI talks to moto through a proxy
 * that holds chosen calls unanswered (a hung connection). SIGTERM (a CI cancel; Ctrl-C is SIGINT,
 * handled alike) must stop the call in flight at once, then clean up with calls that are answered
 * again: traffic back where it was, green torn down, the lock rule deleted, exit 130, and the
 * --json envelope saying so. The SDK has no request timeout by default: such a call used to hold
 * the run until the second signal.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { sha } from '../core/helpers/project.ts'
import { envelope as parseEnvelope, RUN_JS, runCli } from '../helpers/cli.ts'
import { requireMoto } from '../helpers/services.ts'
import {
  AWS_ENV,
  type AwsProject,
  instancesOf,
  listenerWeights,
  makeAwsProject,
  targetGroupNames,
} from '../providers/aws/moto.ts'
import { type Behaviour, type MotoProxy, startMotoProxy } from '../providers/aws/moto-proxy.ts'

interface Envelope {
  warnings?: string[]
  error?: {
    exitCode: number
    message: string
    details?: {
      reverted?: { weights: Record<string, number>; routedBack: boolean }
      lock?: { state: string }
    }
  }
}

/** One instance per colour, a short lock TTL (a run killed by a failed assertion blocks no later test). */
const options = (proxy: MotoProxy, shift: Record<string, unknown> = {}) => ({
  size: 1,
  lockTtl: '5s',
  shift,
  aws: { endpoint: proxy.endpoint },
})

describe('aws: SIGTERM while an AWS call hangs', { concurrency: false, timeout: 600_000 }, () => {
  let project: AwsProject
  let proxy: MotoProxy
  let service: string

  before(async () => {
    const moto = await requireMoto()
    proxy = await startMotoProxy(moto.endpoint)
    project = await makeAwsProject(options(proxy))
    service = `aws-${project.fixture.id}`
    const first = await project.run(['release', '--sha', sha(1)])
    assert.equal(first.code, 0, first.stderr)
  })
  after(async () => {
    proxy?.behave(() => 'pass')
    await project?.cleanup()
    await proxy?.close()
  })

  /**
   * Runs `args --json` with the proxy holding what `decide` says; once a held call matching
   * `hangs` is in flight, SIGTERM, and the proxy answers every new call again (the cleanup's).
   * The exit code within a bound far below forever ('still running' past it) and the envelope.
   */
  async function interruptWhileHanging(
    args: string[],
    hangs: RegExp,
    decide: (action: string, params: URLSearchParams) => Behaviour,
    afterSignal: Behaviour = 'pass',
  ): Promise<{ code: number | null | 'still running'; envelope: Envelope; stderr: string }> {
    const from = proxy.actions.length
    proxy.behave(decide)
    const child = spawn(process.execPath, [RUN_JS, ...args, '--json'], {
      cwd: project.dir,
      env: { ...process.env, ...AWS_ENV, CI: 'true', GITHUB_ACTIONS: '', GWDEPLOY_AWS_API_TIMEOUT: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk
    })
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    try {
      await proxy.waitFor(hangs, from)
      for (let waited = 0; !proxy.hanging().some((a) => hangs.test(a)); waited += 100) {
        assert.ok(waited < 30_000, `no ${hangs} call held: ${proxy.actions.slice(from).join(', ')}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      child.kill('SIGTERM')
      proxy.behave(() => afterSignal)
      const code = await Promise.race([
        exited,
        new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 45_000).unref()),
      ])
      let envelope: Envelope = {}
      if (code !== 'still running') {
        try {
          envelope = JSON.parse(stdout)
        } catch {
          throw new Error(`stdout is not a JSON envelope (exit ${code}):\n${stdout}\n${stderr}`)
        }
      }
      return { code, envelope, stderr }
    } finally {
      child.kill('SIGKILL')
      proxy.behave(() => 'pass')
    }
  }

  async function lockRuleHolder(): Promise<unknown> {
    const status = await project.json<{ result: { lock: unknown } }>(['lock', 'status'])
    assert.equal(status.code, 0, JSON.stringify(status.envelope))
    return status.envelope.result.lock
  }

  it('mid-release (RunInstances unanswered): exit 130, blue keeps 100%, nothing launched, the lock released', async () => {
    const { code, envelope, stderr } = await interruptWhileHanging(
      ['release', '--sha', sha(2)],
      /^RunInstances$/,
      (a) => (a === 'RunInstances' ? 'hang' : 'pass'),
    )
    assert.equal(code, 130, stderr)
    assert.equal(envelope.error?.exitCode, 130)
    assert.match(envelope.error?.message ?? '', /interrupted by SIGTERM/)
    assert.deepEqual(envelope.error?.details?.reverted?.weights, { blue: 100, green: 0 })
    assert.equal(envelope.error?.details?.lock?.state, 'released')
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), { [`${service}-blue`]: 100 })
    assert.deepEqual(
      (await instancesOf(service)).map((i) => i.sha),
      [sha(1)],
      'no green instance left',
    )
    assert.deepEqual(await targetGroupNames(service), [`${service}-blue`], 'no green target group left')
    assert.equal(await lockRuleHolder(), null)
  })

  it('mid-switch (DescribeTargetHealth unanswered in the bake of the 50% step): exit 130, back to 100% blue, green terminated, the lock released', async () => {
    // 50% then 100%, baking long enough to be stopped in the first bake.
    await project.writeConfig(options(proxy, { strategy: 'steps', steps: [50, 100], bake: '10m' }))
    let shifted = false
    const { code, envelope, stderr } = await interruptWhileHanging(
      ['release', '--sha', sha(3)],
      /^DescribeTargetHealth$/,
      (action, params) => {
        if (action === 'ModifyListener' && [...params].some(([k, v]) => k.endsWith('.Weight') && v === '50'))
          shifted = true
        return shifted && action === 'DescribeTargetHealth' ? 'hang' : 'pass'
      },
    )
    await project.writeConfig(options(proxy))
    assert.equal(code, 130, stderr)
    assert.deepEqual(envelope.error?.details?.reverted?.weights, { blue: 100, green: 0 })
    assert.equal(envelope.error?.details?.reverted?.routedBack, true)
    assert.equal(envelope.error?.details?.lock?.state, 'released')
    // Green's group is out of the forward: it was deleted with green.
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), { [`${service}-blue`]: 100 })
    assert.deepEqual(
      (await instancesOf(service)).filter((i) => i.state !== 'shutting-down').map((i) => i.sha),
      [sha(1)],
      'green terminated',
    )
    assert.equal(await lockRuleHolder(), null)
  })

  // The SDK call was aborted after AWS had taken it: the listener forwarded 50% to green while the
  // run believed 100/0, so it skipped the revert, refused to tear green down (it served 50%) and the
  // envelope said blue 100 / green 0.
  it('mid-switch while the 50% ModifyListener is applied but not yet answered: the run waits for it, then puts traffic back', async () => {
    await project.writeConfig(options(proxy, { strategy: 'steps', steps: [50, 100], bake: '10m' }))
    const { code, envelope, stderr } = await interruptWhileHanging(
      ['release', '--sha', sha(6)],
      /^ModifyListener$/,
      (action, params) =>
        action === 'ModifyListener' && [...params].some(([k, v]) => k.endsWith('.Weight') && v === '50')
          ? { delayMs: 3_000 }
          : 'pass',
    )
    await project.writeConfig(options(proxy))
    assert.equal(code, 130, stderr)
    assert.deepEqual(envelope.error?.details?.reverted?.weights, { blue: 100, green: 0 })
    assert.equal(envelope.error?.details?.reverted?.routedBack, true)
    assert.equal(envelope.error?.details?.lock?.state, 'released')
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), { [`${service}-blue`]: 100 })
    assert.deepEqual(
      (await instancesOf(service)).filter((i) => i.state !== 'shutting-down').map((i) => i.sha),
      [sha(1)],
      'green terminated',
    )
  })

  // A listener change already sent is waited for (see the 50% step above); what a rollback reads
  // first, the quick health check of the colour it goes back to, is stopped at once.
  it('mid-rollback (its health check of blue unanswered): exit 130, traffic stays where it was, the lock released', async () => {
    const released = await project.run(['release', '--sha', sha(4)])
    assert.equal(released.code, 0, released.stderr)
    const live = await listenerWeights(project.fixture.listenerArn)
    assert.deepEqual(live, { [`${service}-blue`]: 0, [`${service}-green`]: 100 })
    const { code, envelope, stderr } = await interruptWhileHanging(
      ['rollback'],
      /^DescribeTargetHealth$/,
      (a) => (a === 'DescribeTargetHealth' ? 'hang' : 'pass'),
    )
    assert.equal(code, 130, stderr)
    assert.deepEqual(envelope.error?.details?.reverted?.weights, { blue: 0, green: 100 })
    assert.equal(envelope.error?.details?.lock?.state, 'released')
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), live)
    assert.equal(await lockRuleHolder(), null)
  })

  for (const [args, call] of [
    [['status'], 'DescribeTargetHealth'],
    [['history'], 'DescribeParameters'],
    [['lock', 'status'], 'DescribeRules'],
    // maintenance read the router without the run's signal: Ctrl-C waited for AWS's timeouts.
    [['maintenance', 'on'], 'DescribeRules'],
    [['maintenance', 'off'], 'DescribeRules'],
  ] as const) {
    it(`${args.join(' ')}: SIGTERM during an unanswered ${call} ends it with exit 130`, async () => {
      const { code, envelope, stderr } = await interruptWhileHanging(
        [...args],
        new RegExp(`^${call}$`),
        (a) => (a === call ? 'hang' : 'pass'),
      )
      assert.equal(code, 130, stderr)
      assert.match(envelope.error?.message ?? '', /interrupted by SIGTERM/)
    })
  }

  // The SDK's own default is to wait forever for an answer: status (and everything else) hung.
  it('status with every call unanswered: exit 6 naming the call, bounded by GWDEPLOY_AWS_API_TIMEOUT', async () => {
    proxy.behave(() => 'hang')
    try {
      const result = await runCli(['status', '--json'], {
        cwd: project.dir,
        env: { ...AWS_ENV, GWDEPLOY_AWS_API_TIMEOUT: '1' },
        timeoutMs: 60_000,
      })
      assert.equal(result.exitCode, 6, `${result.stdout}\n${result.stderr}`)
      const error = parseEnvelope(result).error
      assert.match(error?.message ?? '', /^aws: [A-Z][A-Za-z]+.*: AWS did not answer within 1 s/)
      assert.match(error?.hint ?? '', /GWDEPLOY_AWS_API_TIMEOUT/)
    } finally {
      proxy.behave(() => 'pass')
    }
  })

  it('mid-release with AWS unanswered also after the signal: exit 130 within the API timeouts, the envelope says the lock was not released', async () => {
    const before = await listenerWeights(project.fixture.listenerArn)
    assert.notEqual(before, 'fixed-response')
    const weights = {
      blue: (before as Record<string, number>)[`${service}-blue`] ?? 0,
      green: (before as Record<string, number>)[`${service}-green`] ?? 0,
    }
    const from = proxy.actions.length
    const { code, envelope, stderr } = await interruptWhileHanging(
      ['release', '--sha', sha(5)],
      /^RunInstances$/,
      (a) => (a === 'RunInstances' ? 'hang' : 'pass'),
      'hang',
    )
    assert.equal(code, 130, stderr)
    // Once a call went unanswered on both its attempts, the cleanup's calls get one each: the lock
    // rule's DeleteRule after the signal (the retire before RunInstances deleted an attach rule).
    const cleanup = proxy.actions.slice(proxy.actions.indexOf('RunInstances', from))
    assert.equal(cleanup.filter((a) => a === 'DeleteRule').length, 1, cleanup.join(' '))
    assert.deepEqual(envelope.error?.details?.reverted?.weights, weights)
    assert.equal(envelope.error?.details?.lock?.state, 'not-released')
    assert.ok(
      envelope.warnings?.some((w) =>
        /could not release the lock: aws: DeleteRule \(lock\): AWS did not answer within 1 s/.test(w),
      ),
      JSON.stringify(envelope),
    )
    // The lock rule stays until its TTL; lock release --force clears it at once.
    const forced = await project.run(['lock', 'release', '--force'])
    assert.equal(forced.code, 0, forced.stderr)
  })
})
