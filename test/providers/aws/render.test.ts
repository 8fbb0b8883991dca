/** Golden tests of what the aws provider sends: user-data and every request input (pure, no I/O). */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { describe, it } from 'node:test'
import { GWDEPLOY_TAGS_AT_MOST } from '../../../src/config/providers/aws-tags.ts'
import { gwConfigSchema } from '../../../src/config/schema.ts'
import { AwsProvider } from '../../../src/providers/aws/index.ts'
import { lockRuleInput } from '../../../src/providers/aws/lock.ts'
import { maintenanceRuleInput } from '../../../src/providers/aws/maintenance.ts'
import { targetGroupName } from '../../../src/providers/aws/names.ts'
import {
  attachRuleInput,
  fleetTags,
  forwardedGroups,
  isNotServing,
  listenerActions,
  originalActionRuleInput,
  planLaunches,
  runInstancesInput,
} from '../../../src/providers/aws/requests.ts'
import { cidrCovers, peerList, permits, revokerPeers } from '../../../src/providers/aws/revoker-peers.ts'
import { resolveSettings } from '../../../src/providers/aws/settings.ts'
import { targetStatus } from '../../../src/providers/aws/target-groups.ts'
import { renderUserData, shellQuote, userDataValues } from '../../../src/providers/aws/user-data.ts'
import type { FleetSpec } from '../../../src/providers/types.ts'

const LISTENER =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/gw/0123456789abcdef/0123456789abcdef'

function config(aws: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return gwConfigSchema.parse({
    service: 'payments',
    image: { repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-gateway' },
    health: { expectName: false },
    provider: {
      kind: 'aws',
      aws: {
        region: 'eu-west-1',
        listenerArn: LISTENER,
        vpcId: 'vpc-0123',
        subnets: ['subnet-a', 'subnet-b'],
        securityGroups: ['sg-1'],
        ami: 'ami-0123',
        instanceProfile: 'gateway',
        tags: { team: 'edge' },
        ...aws,
      },
    },
    ...extra,
  })
}

const spec: FleetSpec = {
  service: 'payments',
  env: undefined,
  colour: 'green',
  size: 3,
  port: 8080,
  healthPath: '/__health',
  artifact: {
    sha: 'abcdef0123456789abcdef0123456789abcdef01',
    sha7: 'abcdef0',
    configName: "payments rev-abcdef0 (o'clock)",
    configDigest: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
    configText: '{}',
    image:
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-gateway@sha256:2222222222222222222222222222222222222222222222222222222222222222',
  },
}

async function golden(name: string, actual: string): Promise<void> {
  const file = new URL(`./golden/${name}`, import.meta.url)
  if (process.env.UPDATE_GOLDEN === '1') await writeFile(file, actual)
  assert.equal(actual, await readFile(file, 'utf8'))
}

describe('aws render (golden)', () => {
  const provider = new AwsProvider(resolveSettings(config(), '/nonexistent', undefined, {}))
  const documents = provider.render(spec)

  it('user-data: cloud-init that logs in to ECR with the instance role and runs the image by digest', async () => {
    const userData = documents[0]?.content ?? ''
    await golden('user-data.yaml', userData)
    assert.ok(userData.includes(`GWDEPLOY_IMAGE='${spec.artifact.image}'`))
    assert.ok(userData.includes("GWDEPLOY_REGISTRY_AUTH='ecr'"))
    assert.ok(userData.includes("GWDEPLOY_CONFIG_NAME='payments rev-abcdef0 (o'\\''clock)'"))
    assert.match(userData, /--restart unless-stopped/)
  })

  it('request inputs: CreateTargetGroup, attach rule, RunInstances per subnet, ModifyListener', async () => {
    await golden(
      'requests.txt',
      documents
        .slice(1)
        .map((d) => `### ${d.title}\n${d.content}`)
        .join('\n'),
    )
    const run = JSON.parse(documents[3]?.content ?? '[]') as Array<{
      SubnetId: string
      MinCount: number
      ClientToken: string
    }>
    assert.deepEqual(
      run.map((r) => [r.SubnetId, r.MinCount]),
      [
        ['subnet-a', 2],
        ['subnet-b', 1],
      ],
    )
    assert.ok(run.every((r) => r.ClientToken.length <= 64))
    assert.notEqual(run[0]?.ClientToken, run[1]?.ClientToken)
  })

  it('lock rule input', async () => {
    const input = lockRuleInput(provider.settings, LISTENER, {
      holder: 'ci@runner pid 1',
      sha: spec.artifact.sha,
      operation: 'release',
      acquiredAt: '2030-01-01T00:00:00.000Z',
      renewedAt: '2030-01-01T00:00:00.000Z',
      expiresAt: '2030-01-01T00:10:00.000Z',
    })
    await golden('lock-rule.json', `${JSON.stringify(input, null, 2)}\n`)
  })

  it('maintenance rule input: a fixed response for every path at maintenancePriority', async () => {
    const input = maintenanceRuleInput(provider.settings, LISTENER, {
      status: 503,
      contentType: 'text/html; charset=utf-8',
      body: '<!doctype html><p>Back soon.</p>\n',
      retryAfter: 120,
      since: '2030-01-01T00:00:00.000Z',
      by: 'ci@runner (GitHub run acme/payments#42)',
    })
    await golden('maintenance-rule.json', `${JSON.stringify(input, null, 2)}\n`)
    const page = { status: 503, retryAfter: undefined, since: '', by: '' }
    assert.throws(
      () =>
        maintenanceRuleInput(provider.settings, LISTENER, {
          ...page,
          contentType: 'text/plain',
          body: 'x'.repeat(1025),
        }),
      (error: { exitCode?: number; message: string }) =>
        error.exitCode === 2 && /holds 1024/.test(error.message),
    )
    assert.throws(
      () =>
        maintenanceRuleInput(provider.settings, LISTENER, {
          ...page,
          contentType: 'application/xml',
          body: '<a/>',
        }),
      /cannot have the content type application\/xml/,
    )
  })
})

describe('aws pure helpers', () => {
  it('weights: percentages as ALB weights, zero kept in the list, nothing serving is a fixed 503', () => {
    assert.deepEqual(listenerActions({ blue: 90, green: 10 }, { blue: 'b', green: 'g' })[0], {
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: 'b', Weight: 90 },
          { TargetGroupArn: 'g', Weight: 10 },
        ],
        TargetGroupStickinessConfig: { Enabled: false },
      },
    })
    assert.equal(listenerActions({ blue: 0, green: 0 }, { blue: 'b' })[0]?.Type, 'fixed-response')
    assert.throws(() => listenerActions({ blue: 0, green: 100 }, { blue: 'b' }), /no target group/)
    assert.throws(() => listenerActions({ blue: 1000, green: 0 }, { blue: 'b' }), /between 0 and 999/)
  })

  it('original default action: kept whole in a never-matching rule below the attach rules; gwdeploy 503 is recognised', () => {
    const settings = resolveSettings(config(), '/x', undefined, {})
    const original = [{ Type: 'redirect', RedirectConfig: { Host: 'x'.repeat(400), StatusCode: 'HTTP_302' } }]
    const input = originalActionRuleInput(settings, LISTENER, original)
    assert.equal(input.Priority, 49997)
    assert.deepEqual(input.Actions, original)
    assert.deepEqual(input.Conditions[0], {
      Field: 'source-ip',
      SourceIpConfig: { Values: ['192.0.2.0/32'] },
    })
    assert.ok(input.Tags.some((t) => t.Key === 'gwdeploy:role' && t.Value === 'original-default-action'))
    const notServing = listenerActions({ blue: 0, green: 0 }, {})[0] ?? {}
    assert.equal(isNotServing(notServing), true)
    assert.equal(
      isNotServing({ Type: 'fixed-response', FixedResponseConfig: { MessageBody: 'down' } }),
      false,
    )
    assert.deepEqual(
      forwardedGroups({
        Type: 'forward',
        TargetGroupArn: 'a',
        ForwardConfig: { TargetGroups: [{ TargetGroupArn: 'a' }, { TargetGroupArn: 'b' }] },
      }),
      ['a', 'b'],
    )
    assert.throws(() => config({ lockPriority: 3 }), /lockPriority/)
  })

  it('target group names fit 32 characters and stay distinct', () => {
    assert.equal(targetGroupName('payments', 'blue'), 'payments-blue')
    const long = 'a'.repeat(40)
    const a = targetGroupName(`${long}-x`, 'green')
    const b = targetGroupName(`${long}-y`, 'green')
    assert.ok(a.length <= 32 && b.length <= 32)
    assert.notEqual(a, b)
  })

  it('subnets: missing nodes go where there are fewest', () => {
    assert.deepEqual(
      planLaunches(['s1', 's2'], new Map([['s1', 1]]), 3, ['i-1']).map((l) => [l.subnet, l.count]),
      [
        ['s2', 2],
        ['s1', 1],
      ],
    )
  })

  it('target health: a fresh instance failing checks is still booting; after bootGrace it is unhealthy', () => {
    const launched = new Date(1_000_000)
    const failing = { State: 'unhealthy', Reason: 'Target.FailedHealthChecks' }
    assert.equal(targetStatus('i', failing, launched, 300_000, 1_060_000).status, 'starting')
    const failed = targetStatus('i', failing, launched, 300_000, 1_400_000)
    assert.equal(failed.status, 'unhealthy')
    assert.equal(failed.final, true, 'past bootGrace the gate fails at once')
    assert.match(
      failed.detail ?? '',
      /still failing past provider\.aws\.bootGrace: the gateway does not answer/,
    )
    // The status is not said again in the detail: the gate reads 'provider reports unhealthy: <why>'.
    assert.match(
      failed.detail ?? '',
      /^the ALB's health checks fail \(Target\.FailedHealthChecks\), still failing past/,
    )
    assert.equal(
      targetStatus('i', { State: 'draining', Reason: 'Target.DeregistrationInProgress' }, launched, 0).detail,
      'ALB target draining (Target.DeregistrationInProgress)',
    )
    assert.equal(targetStatus('i', failing, launched, 300_000, 1_060_000).final, undefined)
    assert.equal(targetStatus('i', { State: 'initial' }, launched, 0).status, 'starting')
    assert.equal(
      targetStatus('i', { State: 'unused', Reason: 'Target.NotInUse' }, launched, 0).status,
      'starting',
    )
    assert.equal(
      targetStatus('i', { State: 'unused', Reason: 'Target.InvalidState' }, launched, 0).status,
      'gone',
    )
  })

  it("user-data: auth/revoker's port is published beside the gateway's, only when the config has a revoker", () => {
    const render = (artifact: typeof spec.artifact) =>
      new AwsProvider(resolveSettings(config(), '/nonexistent', undefined, {})).render({
        ...spec,
        artifact,
      })[0]?.content ?? ''
    const plain = render(spec.artifact)
    assert.ok(plain.includes("GWDEPLOY_REVOKER_PORT=''"))
    assert.ok(plain.includes('${GWDEPLOY_REVOKER_PORT:+-p "$GWDEPLOY_REVOKER_PORT:$GWDEPLOY_REVOKER_PORT"}'))
    assert.ok(render({ ...spec.artifact, revokerPort: 1234 }).includes("GWDEPLOY_REVOKER_PORT='1234'"))
  })

  it('user-data: the running instances a new one pulls revocations from, and a template that cannot pass them is refused', () => {
    const settings = resolveSettings(config(), '/nonexistent', undefined, {})
    const withRevoker = { ...spec, artifact: { ...spec.artifact, revokerPort: 9001 } }
    const text = renderUserData(
      settings.userDataTemplate,
      userDataValues(settings, withRevoker, '10.0.1.4:9001,10.0.2.9:9001'),
    )
    assert.ok(text.includes("GWDEPLOY_REVOKER_PEERS='10.0.1.4:9001,10.0.2.9:9001'"))
    assert.ok(text.includes('${GWDEPLOY_REVOKER_PEERS:+-e "GATEWAY_REVOKER_PEERS=$GWDEPLOY_REVOKER_PEERS"}'))
    // The dry run cannot know them yet and says what goes there.
    const dry = new AwsProvider(settings).render(withRevoker)[0]?.content ?? ''
    assert.ok(dry.includes("GWDEPLOY_REVOKER_PEERS='<IP:PORT of each instance running at launch>'"), dry)
    const own = '#cloud-config\n{{image}} {{revokerPort}}\n'
    assert.throws(
      () => renderUserData(own, { image: 'x', revokerPort: '9001', revokerPeers: '' }),
      (error: Error & { exitCode?: number; location?: { path?: string } }) =>
        error.exitCode === 2 &&
        /has no \{\{revokerPeers\}\}: new nodes would not take the running nodes' auth\/revoker revocations/.test(
          error.message,
        ) &&
        error.location?.path === 'provider.aws.userDataTemplate',
    )
    // Without a revoker an own template needs no such line.
    assert.equal(
      renderUserData(own, { image: 'x', revokerPort: '', revokerPeers: '' }),
      "#cloud-config\n'x' ''\n",
    )
  })

  it('revoker peers: running or pending instances with a private IP and the revoker-port tag; older ones are named', () => {
    const instance = (id: string, state: string, tags: Record<string, string>, privateIp = '10.0.1.4') => ({
      id,
      state,
      subnet: 'subnet-a',
      privateIp,
      securityGroups: ['sg-1'],
      tags,
    })
    const tagged = { 'gwdeploy:revoker-port': '9001' }
    const said: string[] = []
    const peers = revokerPeers(
      [
        instance('i-1', 'running', tagged),
        instance('i-2', 'pending', tagged, '10.0.2.9'),
        instance('i-3', 'stopped', tagged),
        instance('i-4', 'running', {}),
      ],
      (message) => said.push(message),
    )
    assert.deepEqual(
      peers.map((p) => p.id),
      ['i-1', 'i-2'],
    )
    assert.deepEqual(said, [
      "auth/revoker: i-4 predate(s) gwdeploy's gwdeploy:revoker-port tag; the new instances do not pull their revocations",
    ])
    assert.equal(peerList(peers), '10.0.1.4:9001,10.0.2.9:9001')
  })

  it('security group rules: a port range, all traffic, a source group or a CIDR holding every subnet', () => {
    const from = { groups: ['sg-new'], subnets: ['10.0.1.0/24', '10.0.2.0/24'] }
    const tcp = (FromPort: number, ToPort: number, source: object) => ({
      IpProtocol: 'tcp',
      FromPort,
      ToPort,
      ...source,
    })
    const group = { UserIdGroupPairs: [{ GroupId: 'sg-new' }] }
    assert.equal(permits(tcp(9001, 9001, group), 9001, from), true)
    assert.equal(permits(tcp(9000, 9100, group), 9001, from), true)
    assert.equal(permits(tcp(9002, 9100, group), 9001, from), false)
    assert.equal(permits({ IpProtocol: '-1', ...group }, 9001, from), true)
    assert.equal(permits({ IpProtocol: 'udp', FromPort: 9001, ToPort: 9001, ...group }, 9001, from), false)
    assert.equal(permits(tcp(9001, 9001, { UserIdGroupPairs: [{ GroupId: 'sg-other' }] }), 9001, from), false)
    assert.equal(permits(tcp(9001, 9001, { IpRanges: [{ CidrIp: '10.0.0.0/16' }] }), 9001, from), true)
    assert.equal(permits(tcp(9001, 9001, { IpRanges: [{ CidrIp: '10.0.1.0/24' }] }), 9001, from), false)
    assert.equal(cidrCovers('0.0.0.0/0', '10.0.1.0/24'), true)
    assert.equal(cidrCovers('10.0.1.0/25', '10.0.1.0/24'), false)
  })

  // The SDK waits forever for an answer by default; each attempt is bounded now.
  it('config: GWDEPLOY_AWS_API_TIMEOUT bounds each attempt (seconds, default 30); anything else is exit 2', () => {
    assert.equal(resolveSettings(config(), '/x', undefined, {}).apiTimeoutMs, 30_000)
    assert.equal(
      resolveSettings(config(), '/x', undefined, { GWDEPLOY_AWS_API_TIMEOUT: '2.5' }).apiTimeoutMs,
      2_500,
    )
    for (const value of ['5m', '0', '-1'])
      assert.throws(
        () => resolveSettings(config(), '/x', undefined, { GWDEPLOY_AWS_API_TIMEOUT: value }),
        (e: Error & { exitCode?: number }) =>
          e.exitCode === 2 &&
          e.message === `GWDEPLOY_AWS_API_TIMEOUT="${value}" is not a number of seconds above 0`,
      )
  })

  it('config: expectName without a test listener is a configuration error naming the key', () => {
    assert.throws(
      () => resolveSettings(config({}, { health: { expectName: true } }), '/x', undefined, {}),
      (e: Error & { location?: { path?: string } }) =>
        /expectName needs a test listener/.test(e.message) &&
        e.location?.path === 'provider.aws.testListenerArn',
    )
    assert.throws(
      () => resolveSettings(config({}, { smoke: [{ path: '/v1/ping' }] }), '/x', undefined, {}),
      /smoke checks need a test listener/,
    )
  })

  it('user-data: fleet.env plain values as a base64 env file, secrets only as SSM / Secrets Manager references (golden)', async () => {
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gw/oauth-AbCdEf'
    const withEnv = config(
      {},
      {
        fleet: {
          env: {
            LOG_FORMAT: 'json',
            KRAKEND_TIMEOUT: '3s',
            API_KEY: { ssm: '/payments/gateway/api-key' },
            CLIENT_SECRET: { secretsManager: secretArn, jsonKey: 'client_secret' },
          },
        },
      },
    )
    const envSpec = { ...spec, artifact: { ...spec.artifact, configText: '{"x": "{{env `API_KEY`}}"}' } }
    const userData =
      new AwsProvider(resolveSettings(withEnv, '/nonexistent', undefined, {})).render(envSpec)[0]?.content ??
      ''
    await golden('user-data-fleet-env.yaml', userData)
    const plain = /GWDEPLOY_NODE_ENV='([^']*)'/.exec(userData)?.[1] ?? ''
    assert.equal(
      Buffer.from(plain, 'base64').toString(),
      'KRAKEND_TIMEOUT=3s\nLOG_FORMAT=json\nFC_ENABLE=1\n',
      'plain values (sorted) and FC_ENABLE because the stamped config reads a secret at start',
    )
    assert.ok(
      userData.includes(
        `GWDEPLOY_SECRETS='API_KEY=ssm:/payments/gateway/api-key CLIENT_SECRET=secretsmanager:${secretArn}#client_secret'`,
      ),
    )
    assert.ok(userData.includes('-e GWDEPLOY_ENV_DIR=/run/gwdeploy/env'))
  })

  it('user-data: an own template without {{nodeEnv}} is refused when fleet.env is set', () => {
    assert.throws(
      () => renderUserData('#cloud-config\n{{image}}\n', { image: 'x', nodeEnv: 'QT0xCg==', secrets: '' }),
      (error: Error & { exitCode?: number }) => error.exitCode === 2 && /\{\{nodeEnv\}\}/.test(error.message),
    )
  })

  it('user-data: unknown placeholders and line breaks are refused', () => {
    assert.throws(() => renderUserData('{{nope}}', {}), /unknown placeholder \{\{nope\}\}/)
    assert.throws(() => renderUserData('{{a}}', { a: 'x\ny' }), /line break/)
    assert.equal(shellQuote("it's"), `'it'\\''s'`)
  })
})

// The config allows provider.aws.tags up to AWS's 50 a resource less GWDEPLOY_TAGS_AT_MOST: a tag
// gwdeploy adds to a resource must be counted there, or a release fails half-way on AWS's limit.
it("no resource gets more tags of gwdeploy's own than the config leaves room for", () => {
  const settings = resolveSettings(config({ tags: {} }), '/nonexistent', 'production', {})
  const full: FleetSpec = { ...spec, env: 'production', artifact: { ...spec.artifact, revokerPort: 8099 } }
  const page = { status: 503, contentType: 'text/plain', body: 'x', retryAfter: 60, since: 'now', by: 'me' }
  const lock = {
    holder: 'h',
    sha: spec.artifact.sha,
    operation: 'release',
    acquiredAt: 'a',
    renewedAt: 'r',
    expiresAt: 'e',
  }
  const counts = {
    'target group (with keep-until)': fleetTags(settings, full, 'now').length + 1,
    instance:
      runInstancesInput(settings, full, { subnet: 'subnet-a', count: 1, existing: [] }, '')
        .TagSpecifications[0]?.Tags.length ?? 0,
    'attach rule': attachRuleInput(settings, LISTENER, 'green', 'arn:tg').Tags.length,
    'original-action rule': originalActionRuleInput(settings, LISTENER, []).Tags.length,
    'lock rule': lockRuleInput(settings, LISTENER, lock).Tags.length,
    'maintenance rule': maintenanceRuleInput(settings, LISTENER, page).Tags.length,
  }
  for (const [resource, count] of Object.entries(counts))
    assert.ok(count <= GWDEPLOY_TAGS_AT_MOST, `${resource}: ${count} tags > ${GWDEPLOY_TAGS_AT_MOST}`)
  assert.equal(Math.max(...Object.values(counts)), GWDEPLOY_TAGS_AT_MOST, JSON.stringify(counts))
})
