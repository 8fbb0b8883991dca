/**
 * AWS failing calls (throttling, 5xx) on every attempt, through a proxy in front of moto: the
 * SDK's retries are bounded (provider.aws.maxAttempts: 3 here), the error names the call and what
 * AWS answered, says that a re-run continues, and the re-run does. A call that gets no answer at
 * all is tried twice whatever maxAttempts says.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { sha } from '../core/helpers/project.ts'
import { requireMoto } from '../helpers/services.ts'
import { type AwsProject, instancesOf, makeAwsProject, targetGroupNames } from '../providers/aws/moto.ts'
import { type Behaviour, type MotoProxy, startMotoProxy } from '../providers/aws/moto-proxy.ts'

interface ErrorEnvelope {
  error?: { exitCode: number; message: string; hint?: string }
}

describe('aws: AWS failing every attempt of a call', { concurrency: false }, () => {
  let project: AwsProject
  let proxy: MotoProxy
  let service: string

  before(async () => {
    const moto = await requireMoto()
    proxy = await startMotoProxy(moto.endpoint)
    project = await makeAwsProject({ size: 1, lockTtl: '5s', aws: { endpoint: proxy.endpoint } })
    service = `aws-${project.fixture.id}`
    for (const n of [1, 2]) {
      const released = await project.run(['release', '--sha', sha(n)])
      assert.equal(released.code, 0, released.stderr)
    }
  })
  after(async () => {
    proxy?.behave(() => 'pass')
    await project?.cleanup()
    await proxy?.close()
  })

  /** `args --json` with every `call` answered `behaviour`; the exit code, the error and how often the call came. */
  async function failing(args: string[], call: string, behaviour: Behaviour) {
    let calls = 0
    proxy.behave((action) => {
      if (action !== call) return 'pass'
      calls++
      return behaviour
    })
    try {
      const result = await project.json<ErrorEnvelope>(args)
      return { code: result.code, error: result.envelope.error, calls }
    } finally {
      proxy.behave(() => 'pass')
    }
  }

  it('status with DescribeTargetHealth throttled: exit 6 naming the call, the attempts and what to do', async () => {
    const { code, error, calls } = await failing(['status'], 'DescribeTargetHealth', {
      status: 400,
      code: 'Throttling',
      message: 'Rate exceeded',
    })
    assert.equal(code, 6, JSON.stringify(error))
    assert.match(error?.message ?? '', /^aws: DescribeTargetHealth failed: Throttling: Rate exceeded$/)
    assert.match(error?.hint ?? '', /AWS throttled the call on 3 attempts \(provider\.aws\.maxAttempts\)/)
    assert.ok(calls >= 3 && calls % 3 === 0, `3 attempts per read, got ${calls}`)
  })

  // maxAttempts x GWDEPLOY_AWS_API_TIMEOUT per call (8 x 30 s by default) held a rollback or a
  // status for minutes behind an endpoint that had stopped answering.
  it('a call AWS never answers is tried twice, not maxAttempts times: exit 6 saying so', async () => {
    let calls = 0
    proxy.behave((action) => {
      if (action !== 'DescribeTargetHealth') return 'pass'
      calls++
      return 'hang'
    })
    try {
      const result = await project.json<ErrorEnvelope>(['status'], { GWDEPLOY_AWS_API_TIMEOUT: '1' })
      assert.equal(result.code, 6, JSON.stringify(result.envelope))
      assert.match(
        result.envelope.error?.message ?? '',
        /^aws: DescribeTargetHealth.*: AWS did not answer within 1 s \(2 attempts, each timed out\)$/,
      )
      assert.equal(calls, 2, 'two attempts of the one call status waits for')
    } finally {
      proxy.behave(() => 'pass')
    }
  })

  it('retire with TerminateInstances failing (503): exit 6 saying a re-run continues; the re-run retires blue', async () => {
    const { code, error } = await failing(['retire'], 'TerminateInstances', {
      status: 503,
      code: 'ServiceUnavailable',
      message: 'Service is unavailable',
    })
    assert.equal(code, 6, JSON.stringify(error))
    assert.match(error?.message ?? '', /^aws: TerminateInstances failed: ServiceUnavailable/)
    assert.match(error?.hint ?? '', /HTTP 503\) on 3 attempts .*Re-run the command/)

    const again = await project.json<{ result: { retired: { colour: string } } }>(['retire'])
    assert.equal(again.code, 0, JSON.stringify(again.envelope))
    assert.equal(again.envelope.result.retired.colour, 'blue')
    assert.deepEqual(
      (await instancesOf(service)).map((i) => i.colour),
      ['green'],
    )
    assert.deepEqual(await targetGroupNames(service), [`${service}-green`])
  })
})
