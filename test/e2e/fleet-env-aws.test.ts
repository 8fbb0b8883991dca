/**
 * fleet.env on aws against moto: references to SSM parameters and Secrets Manager secrets the
 * instances read at boot. Before anything is created, gwdeploy looks each one up (metadata only):
 * a missing one, or one in another region, is exit 2 naming fleet.env.NAME and the reference, with
 * no target group, instance or listener change. A release whose references exist carries only the
 * references: the secret values are in no output, --json envelope, history, SSM release record
 * (its gzipped config too) or instance user-data (its base64 env file too). moto runs nothing on
 * the instances, so what a node reads at boot is covered by the user-data golden test.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { gunzipSync } from 'node:zlib'
import * as smm from '@aws-sdk/client-secrets-manager'
import * as ssmm from '@aws-sdk/client-ssm'
import { sha } from '../core/helpers/project.ts'
import { requireMoto } from '../helpers/services.ts'
import {
  type AwsProject,
  instancesOf,
  listenerWeights,
  makeAwsProject,
  targetGroupNames,
  userDataOf,
} from '../providers/aws/moto.ts'

const SSM_SECRET = 'ssmsecret93c1f0a7e4'
const SM_SECRET = 'smsecret2d8b6e51f9'

// A flexible-config template: the secret stays {{env `DB_PASS`}} in the stamped config.
const TEMPLATE = `{
  "version": 3,
  "name": "aws",
  "endpoints": [
    {
      "endpoint": "/v1/ping",
      "backend": [{ "host": ["http://127.0.0.1:19"], "url_pattern": "/ping", "group": "{{ env "DB_PASS" }}" }]
    }
  ]
}
`

describe('fleet.env on aws (moto): references checked before anything is created; no value anywhere', {
  concurrency: false,
}, () => {
  let project: AwsProject
  let service: string
  let ssm: ssmm.SSMClient
  let sm: smm.SecretsManagerClient
  let secretArn: string
  let parameter: string
  const madeSecrets: string[] = []
  const outputs: Array<[string, string]> = []
  const run = async (args: string[]) => {
    const result = await project.run(args)
    outputs.push([`${args.join(' ')} stdout`, result.stdout], [`${args.join(' ')} stderr`, result.stderr])
    return result
  }
  const config = (env: Record<string, unknown>) =>
    project.writeConfig({ size: 1, gateway: { flexibleConfig: {} }, fleet: { env } })

  before(async () => {
    const moto = await requireMoto()
    const client = { endpoint: moto.endpoint, region: moto.region, credentials: moto.credentials }
    ssm = new ssmm.SSMClient(client)
    sm = new smm.SecretsManagerClient(client)
    project = await makeAwsProject({ size: 1 })
    service = `aws-${project.fixture.id}`
    parameter = `/gwt-${project.fixture.id}/db-pass` // names under /aws are reserved
    await ssm.send(new ssmm.PutParameterCommand({ Name: parameter, Value: SSM_SECRET, Type: 'SecureString' }))
    const created = await sm.send(
      new smm.CreateSecretCommand({
        Name: `${service}-oauth`,
        SecretString: JSON.stringify({ client_secret: SM_SECRET }),
      }),
    )
    secretArn = created.ARN as string
    madeSecrets.push(secretArn)
    await writeFile(join(project.dir, 'gateway.json'), TEMPLATE)
  })
  after(async () => {
    await project?.cleanup()
    await ssm?.send(new ssmm.DeleteParameterCommand({ Name: parameter })).catch(() => {})
    for (const arn of madeSecrets)
      await sm
        ?.send(new smm.DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }))
        .catch(() => {})
    ssm?.destroy()
    sm?.destroy()
  })

  const nothingCreated = async () => {
    assert.deepEqual(await instancesOf(service), [])
    assert.deepEqual(await targetGroupNames(service), [])
    assert.equal(await listenerWeights(project.fixture.listenerArn), 'fixed-response')
  }

  it('a missing SSM parameter: exit 2 naming fleet.env.NAME and the parameter, nothing created', async () => {
    await config({ DB_PASS: { ssm: `${parameter}-absent` } })
    const result = await run(['release', '--sha', sha(1)])
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr, /fleet\.env\.DB_PASS\.ssm/)
    assert.match(result.stderr, new RegExp(`SSM parameter ${parameter}-absent does not exist in us-east-1`))
    assert.match(result.stderr, /Nothing was created/)
    await nothingCreated()
  })

  it('missing secrets, a scheduled deletion and another region: each named under --json, nothing created', async () => {
    const doomed = await sm.send(
      new smm.CreateSecretCommand({ Name: `${service}-doomed`, SecretString: 'x' }),
    )
    madeSecrets.push(doomed.ARN as string)
    await sm.send(new smm.DeleteSecretCommand({ SecretId: doomed.ARN, RecoveryWindowInDays: 7 }))
    await config({
      DB_PASS: { ssm: parameter },
      OAUTH: { secretsManager: `${secretArn.replace(/-[A-Za-z0-9]{6}$/, '')}x-AbCdEf` },
      DOOMED: { secretsManager: doomed.ARN },
      FAR: { ssm: `arn:aws:ssm:eu-west-1:123456789012:parameter${parameter}` },
    })
    const result = await run(['release', '--sha', sha(1), '--json'])
    assert.equal(result.code, 2, result.stderr)
    const error = JSON.parse(result.stdout).error as {
      exitCode: number
      problems: Array<{ message: string; location: { path: string } }>
    }
    assert.equal(error.exitCode, 2)
    assert.deepEqual(
      error.problems.map((p) => p.location.path),
      ['fleet.env.DOOMED.secretsManager', 'fleet.env.FAR.ssm', 'fleet.env.OAUTH.secretsManager'],
    )
    const messages = error.problems.map((p) => p.message).join('\n')
    assert.match(messages, /is scheduled for deletion in us-east-1/)
    assert.match(messages, /is in eu-west-1, but the instances read it in us-east-1/)
    assert.match(messages, /secret:\S+x-AbCdEf does not exist in us-east-1/)
    await nothingCreated()
  })

  it('releases with existing references: user-data holds the references, not the values', async () => {
    await config({
      DB_PASS: { ssm: parameter },
      OAUTH: { secretsManager: secretArn, jsonKey: 'client_secret' },
      LOG_NOTE: 'plain-note',
    })
    const result = await run(['release', '--sha', sha(1), '--json'])
    assert.equal(result.code, 0, result.stderr + result.stdout)
    const [instance] = await instancesOf(service)
    const userData = await userDataOf(instance?.id as string)
    outputs.push(['user-data', userData])
    assert.match(
      userData,
      new RegExp(
        `GWDEPLOY_SECRETS='DB_PASS=ssm:${parameter} OAUTH=secretsmanager:${secretArn}#client_secret'`,
      ),
    )
    const nodeEnv = Buffer.from(/GWDEPLOY_NODE_ENV='([^']*)'/.exec(userData)?.[1] ?? '', 'base64').toString()
    outputs.push(['user-data node env (decoded)', nodeEnv])
    assert.equal(nodeEnv, 'LOG_NOTE=plain-note\nFC_ENABLE=1\n')
  })

  it('no output, history entry or SSM release record holds a secret value', async () => {
    for (const args of [['history'], ['status'], ['release', '--sha', sha(2), '--dry-run']]) {
      await run(args)
      await run([...args, '--json'])
    }
    const history = JSON.parse((await project.run(['history', '--json'])).stdout).result as Array<{
      status: string
    }>
    // The two refusals above were found before anything changed (provider preflight): no record.
    assert.deepEqual(
      history.map((e) => e.status),
      ['released'],
    )
    const records = await ssm.send(
      new ssmm.GetParametersByPathCommand({ Path: `/gwdeploy/${service}/releases`, Recursive: true }),
    )
    assert.equal(records.Parameters?.length, 1)
    for (const record of records.Parameters ?? []) {
      outputs.push([`record ${record.Name}`, record.Value as string])
      const { configGzip } = JSON.parse(record.Value as string) as { configGzip: string }
      const stamped = gunzipSync(Buffer.from(configGzip, 'base64')).toString()
      assert.match(stamped, /\{\{env `DB_PASS`\}\}/, 'the node renders the secret at start')
      outputs.push([`record ${record.Name} (config)`, stamped])
    }
    for (const [where, text] of outputs) {
      assert.ok(!text.includes(SSM_SECRET), `${where} contains the SSM parameter value`)
      assert.ok(!text.includes(SM_SECRET), `${where} contains the Secrets Manager value`)
    }
  })
})
