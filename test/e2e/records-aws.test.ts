/**
 * Release records on AWS (SSM parameters, moto): release from one working copy, then history,
 * status and rollback --to from a second copy without any local state. The rollback deploys the
 * recorded image digest (no build, no re-stamp of today's gateway.json).
 */
import assert from 'node:assert/strict'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import * as ssmm from '@aws-sdk/client-ssm'
import { GATEWAY_CONFIG, sha } from '../core/helpers/project.ts'
import { envelope, runCli } from '../helpers/cli.ts'
import { secondCopy } from '../helpers/second-copy.ts'
import { requireMoto } from '../helpers/services.ts'
import { AWS_ENV, type AwsProject, instancesOf, makeAwsProject, userDataOf } from '../providers/aws/moto.ts'

const config = (path: string) =>
  JSON.stringify({ ...GATEWAY_CONFIG, endpoints: [{ ...GATEWAY_CONFIG.endpoints[0], endpoint: path }] })

describe('aws records (SSM, moto): history, status, rollback --to from a second working copy', {
  concurrency: false,
}, () => {
  let project: AwsProject
  let copy: string
  let service: string
  const second = (args: string[]) => runCli(args, { cwd: copy, env: AWS_ENV })
  before(async () => {
    project = await makeAwsProject({ size: 1 })
    service = `aws-${project.fixture.id}`
  })
  after(async () => {
    await project?.cleanup()
    if (copy) await rm(copy, { recursive: true, force: true })
  })

  it('releases two SHAs with different configs from the first copy', async () => {
    await writeFile(join(project.dir, 'gateway.json'), config('/v1/old'))
    const one = await project.run(['release', '--sha', sha(1)])
    assert.equal(one.code, 0, one.stderr)
    await writeFile(join(project.dir, 'gateway.json'), config('/v1/new'))
    const two = await project.run(['release', '--sha', sha(2)])
    assert.equal(two.code, 0, two.stderr)
    copy = await secondCopy(project.dir)
  })

  let images: Record<string, string> = {}
  it('history from the second copy lists both releases newest first, images by digest', async () => {
    const result = await second(['history', '--json'])
    assert.equal(result.exitCode, 0, result.stderr)
    const entries = envelope(result).result as Array<{ sha: string; status: string; image: string }>
    assert.deepEqual(
      entries.map((e) => [e.sha, e.status]),
      [
        [sha(2), 'released'],
        [sha(1), 'released'],
      ],
    )
    for (const e of entries) assert.match(e.image, /@sha256:[0-9a-f]{64}$/)
    images = Object.fromEntries(entries.map((e) => [e.sha, e.image]))
    assert.notEqual(images[sha(1)], images[sha(2)])
  })

  it('status from the second copy names the last release', async () => {
    const result = await second(['status', '--json'])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.equal((envelope(result).result as { lastRelease?: { sha: string } }).lastRelease?.sha, sha(2))
  })

  it('the SSM record carries the stamped config of its release', async () => {
    const moto = await requireMoto()
    const ssm = new ssmm.SSMClient({
      endpoint: moto.endpoint,
      region: moto.region,
      credentials: moto.credentials,
    })
    const page = await ssm.send(
      new ssmm.GetParametersByPathCommand({ Path: `/gwdeploy/${service}/releases`, MaxResults: 10 }),
    )
    const values = (page.Parameters ?? []).map((p) => JSON.parse(p.Value as string))
    const first = values.find((v) => v.sha === sha(1))
    const { gunzipSync } = await import('node:zlib')
    const text = gunzipSync(Buffer.from(first.configGzip, 'base64')).toString()
    assert.match(text, /\/v1\/old/)
    assert.match(text, new RegExp(`rev-${sha(1).slice(0, 7)}`))
    ssm.destroy()
  })

  it('rollback --to the first SHA after its colour is retired deploys the recorded image digest', async () => {
    const retired = await second(['retire'])
    assert.equal(retired.exitCode, 0, retired.stderr)
    const result = await second(['rollback', '--to', sha(1)])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.match(result.stderr, /build.*reusing/)
    const instances = (await instancesOf(service)).filter((i) => i.state === 'running' && i.sha === sha(1))
    assert.equal(instances.length, 1)
    const userData = await userDataOf(instances[0]?.id as string)
    assert.ok(userData.includes(images[sha(1)] as string), 'the instance runs the image released then')
    const history = await second(['history', '--json', '-n', '1'])
    const last = (envelope(history).result as Array<{ operation: string; sha: string; image: string }>)[0]
    assert.deepEqual([last?.operation, last?.sha, last?.image], ['rollback', sha(1), images[sha(1)]])
  })

  it('a record parameter overwritten by hand with JSON that is no record: left out and named, history and status still work', async () => {
    const moto = await requireMoto()
    const ssm = new ssmm.SSMClient({
      endpoint: moto.endpoint,
      region: moto.region,
      credentials: moto.credentials,
    })
    const name = `/gwdeploy/${service}/releases/2099-01-01T000000000Z-release-fffffff-0000`
    await ssm.send(new ssmm.PutParameterCommand({ Name: name, Value: '{"oops": true}', Type: 'String' }))
    ssm.destroy()
    const history = await second(['history', '--json'])
    assert.equal(history.exitCode, 0, history.stderr)
    const listed = envelope(history)
    assert.deepEqual(
      (listed.result as Array<{ operation: string; sha: string }>).map((e) => [e.operation, e.sha]),
      [
        ['rollback', sha(1)],
        ['retire', sha(1)],
        ['retire', sha(1)], // its intent, written before it stopped anything
        ['release', sha(2)],
        ['release', sha(1)],
      ],
    )
    assert.ok(listed.warnings.some((w) => w.includes(name) && /not a gwdeploy release record/.test(w)))
    const plain = await second(['history'])
    assert.equal(plain.exitCode, 0, plain.stderr)
    assert.match(plain.stderr, new RegExp(name))
    const status = await second(['status', '--json'])
    assert.equal(status.exitCode, 0, status.stderr)
    assert.equal((envelope(status).result as { lastRelease?: { sha: string } }).lastRelease?.sha, sha(1))
  })

  it('a destroy killed before its record: rollback from the second copy names it and redeploys nothing; destroy --force finishes it, once', async () => {
    const killed = await runCli(['destroy', '--force'], {
      cwd: copy,
      env: { ...AWS_ENV, GWDEPLOY_TEST_KILL_AT: 'destroy:record' },
    })
    assert.match(killed.stderr, /SIGKILL at destroy:record/)
    // The lock is shared on aws: not taken over by itself, its dead destroy holder is named first.
    const held = await second(['rollback'])
    assert.equal(held.exitCode, 3, held.stderr)
    assert.match(held.stderr, /held by a run whose process on this host is gone .*\(destroy\)/)
    assert.equal((await second(['lock', 'release', '--force'])).exitCode, 0)
    const back = await second(['rollback', '--json'])
    assert.equal(back.exitCode, 2, back.stderr)
    const error = (envelope(back) as { error?: { message: string; hint: string } }).error
    assert.match(
      error?.message ?? '',
      /^there is nothing to roll back from: the destroy started at \S+ by .* did not finish \(killed, stopped or failed part-way\)/,
    )
    assert.match(error?.hint ?? '', /^`gwdeploy destroy --force` finishes it, or `gwdeploy release --sha /)
    const waited = await second(['status', '--wait-for', 'live', '--json'])
    assert.equal(waited.exitCode, 6, waited.stdout)
    assert.equal((await instancesOf(service)).length, 0, 'nothing redeployed')
    const finished = await second(['destroy', '--force'])
    assert.equal(finished.exitCode, 0, finished.stderr)
    // The ALB is the operator's: the destroy says (and records) that only gwdeploy's routing on it went.
    const emptied =
      /^gwdeploy's routing on the ALB removed \(its listener rules and weight tags; the listeners' own actions put back; the ALB and its listeners stay\) \(ALB listener /
    assert.match(finished.stdout.trim(), emptied)
    assert.doesNotMatch(finished.stdout, /router \(/)
    const newest = (envelope(await second(['history', '--json'])).result as { done?: string[] }[])[0]
    assert.match(newest?.done?.join('; ') ?? '', emptied)
    const count = async () => (envelope(await second(['history', '--json'])).result as unknown[]).length
    const recorded = await count()
    const again = await second(['destroy', '--force'])
    assert.equal(again.exitCode, 0, again.stderr)
    assert.match(again.stdout, /^nothing to destroy: the target was destroyed at /m)
    assert.equal(await count(), recorded, 'no record for a destroy with nothing left')
  })

  it('after destroy, rollback from the second copy is exit 2: nothing is deployed (not the release before the last live one)', async () => {
    const gone = await second(['destroy', '--force'])
    assert.equal(gone.exitCode, 0, gone.stderr)
    const back = await second(['rollback', '--json'])
    assert.equal(back.exitCode, 2, back.stderr)
    const error = (envelope(back) as { error?: { message: string; hint: string } }).error
    assert.match(
      error?.message ?? '',
      /nothing is deployed, the target was destroyed at .* \(0101010 was live before\)$/,
    )
    assert.match(error?.hint ?? '', new RegExp(`^\`gwdeploy rollback --to ${sha(1)}\` brings back 0101010`))
  })
})
