/**
 * auth/revoker on aws, where gwdeploy cannot reach the instances: the next release's instances
 * pull the running instances' revocations themselves (user-data -> the runtime's --revoker-peers).
 * The built CLI runs against moto; the live listener's traffic goes through the ALB data-plane
 * stand-in, which boots each instance from its user-data on the test dockerd and lets instances
 * reach each other's revoker as they would in the VPC. A security group that does not let the new
 * instances reach the peers' revoker port is refused before anything is created.
 */
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import * as ec2m from '@aws-sdk/client-ec2'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { sha } from '../core/helpers/project.ts'
import { buildGoFixture } from '../helpers/go.ts'
import { goRevokeTool, revokerGatewayConfig } from '../helpers/revoke-tool.ts'
import { requireDocker } from '../helpers/services.ts'
import { AlbDataPlane, userDataEnv } from '../providers/aws/alb-data-plane.ts'
import {
  type AwsProject,
  instancesOf,
  listenerWeights,
  makeAwsProject,
  motoClients,
  targetGroupNames,
  userDataOf,
} from '../providers/aws/moto.ts'

const keys = await generateKeyPair('RS256')
const REVOKER_PORT = 9101

describe('auth/revoker on aws: new instances pull the running ones’ revocations', {
  concurrency: false,
}, () => {
  let project: AwsProject
  let plane: AlbDataPlane
  let service: string
  const token = (jti: string) =>
    new SignJWT({ jti })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setExpirationTime('5m')
      .sign(keys.privateKey)
  /** Status and serving instance of `count` live requests with a token of `jti`. */
  const live = async (jti: string, count: number) => {
    const out: Array<{ status: number; instance: string | undefined }> = []
    for (let i = 0; i < count; i++) {
      const served = plane.served.length
      const answer = await fetch(`${plane.url}/v1/private`, {
        headers: { authorization: `Bearer ${await token(jti)}` },
      })
      await answer.arrayBuffer()
      out.push({ status: answer.status, instance: plane.served[served]?.instance })
    }
    return out
  }
  const revoke = async (instance: string, jti: string) =>
    assert.deepEqual(
      await goRevokeTool(await plane.revokerOf(instance), [{ method: 'Add', elems: [`jti-${jti}`] }]),
      [{ Count: 1 }],
    )
  const coloured = async (colour: string) =>
    (await instancesOf(service)).filter((i) => i.colour === colour && i.state === 'running').map((i) => i.id)

  before(async () => {
    await requireDocker()
    await buildGoFixture('rpc-client')
    project = await makeAwsProject({ size: 2 })
    service = `aws-${project.fixture.id}`
    plane = await AlbDataPlane.start(project.fixture.listenerArn)
    await mkdir(join(project.dir, 'keys'))
    await writeFile(
      join(project.dir, 'keys', 'public.json'),
      JSON.stringify({
        keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }],
      }),
    )
    await writeFile(
      join(project.dir, 'gateway.json'),
      JSON.stringify(
        revokerGatewayConfig({
          name: 'e2e',
          port: REVOKER_PORT,
          hashName: 'default',
          validator: { alg: 'RS256', jwk_local_path: 'keys/public.json', disable_jwk_security: true },
        }),
      ),
    )
  })
  after(async () => {
    await project?.cleanup()
    await plane?.close()
  })

  it('the first release tags each instance with its revoker port; a token revoked on one blue instance is refused there', async () => {
    const released = await project.run(['release', '--sha', sha(1)])
    assert.equal(released.code, 0, released.stderr)
    const blue = await coloured('blue')
    assert.equal(blue.length, 2)
    const { ec2 } = await motoClients()
    const described = await ec2.send(new ec2m.DescribeInstancesCommand({ InstanceIds: blue }))
    for (const i of described.Reservations?.flatMap((r) => r.Instances ?? []) ?? [])
      assert.equal(i.Tags?.find((t) => t.Key === 'gwdeploy:revoker-port')?.Value, String(REVOKER_PORT))
    // `status` names where each instance takes revocations (its private IP, from inside the VPC).
    const { envelope } = await project.json<{
      result: {
        colours: Array<{ colour: string; nodes: Array<{ id: string; meta?: { revoker?: string } }> }>
      }
    }>(['status'])
    const ips = new Map(
      (described.Reservations?.flatMap((r) => r.Instances ?? []) ?? []).map((i) => [
        i.InstanceId,
        i.PrivateIpAddress,
      ]),
    )
    const nodes = envelope.result.colours.find((c) => c.colour === 'blue')?.nodes ?? []
    assert.deepEqual(
      nodes.map((n) => n.meta?.revoker),
      nodes.map((n) => `${ips.get(n.id)}:${REVOKER_PORT}`),
    )
    assert.equal(nodes.length, 2)
    // Nothing ran before blue: no peers.
    assert.equal(userDataEnv(await userDataOf(blue[0] as string)).GWDEPLOY_REVOKER_PEERS, '')
    await revoke(blue[0] as string, 'aws-1')
    const answers = await live('aws-1', 4)
    assert.deepEqual(
      answers.map((a) => (a.instance === blue[0] ? a.status : 'other')),
      answers.map((a) => (a.instance === blue[0] ? 401 : 'other')),
    )
  })

  it('a security group that keeps the new instances from the peers’ revoker port is refused before anything is created', async () => {
    const before = await listenerWeights(project.fixture.listenerArn)
    const refused = await project.run(['release', '--sha', sha(2)])
    assert.equal(refused.code, 2, refused.stderr)
    const sg = project.fixture.securityGroup
    assert.match(
      refused.stderr,
      new RegExp(
        `the new instances and i-\\w+ \\(10\\.0\\.[12]\\.\\d+\\) could not reach each other's auth/revoker: the groups ${sg} let no TCP ${REVOKER_PORT} in from ${sg}`,
      ),
    )
    assert.match(refused.stderr, /provider\.aws\.securityGroups/)
    assert.match(
      refused.stderr,
      new RegExp(
        `authorize-security-group-ingress --group-id ${sg} --protocol tcp --port ${REVOKER_PORT} --source-group ${sg}`,
      ),
    )
    assert.deepEqual(await listenerWeights(project.fixture.listenerArn), before)
    assert.deepEqual(await targetGroupNames(service), [`${service}-blue`])
    assert.deepEqual(await coloured('green'), [])
  })

  it('with the port open, every green instance refuses from its first request what either blue instance refused', async () => {
    const { ec2 } = await motoClients()
    await ec2.send(
      new ec2m.AuthorizeSecurityGroupIngressCommand({
        GroupId: project.fixture.securityGroup,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: REVOKER_PORT,
            ToPort: REVOKER_PORT,
            UserIdGroupPairs: [{ GroupId: project.fixture.securityGroup }],
          },
        ],
      }),
    )
    const blue = await coloured('blue')
    await revoke(blue[1] as string, 'aws-2')
    const released = await project.run(['release', '--sha', sha(2)])
    assert.equal(released.code, 0, released.stderr)
    assert.match(
      released.stdout + released.stderr,
      /aws nodes pull each other's revocations themselves: green's took the running nodes' before serving/,
    )
    const green = await coloured('green')
    assert.equal(green.length, 2)
    const { Reservations = [] } = await ec2.send(new ec2m.DescribeInstancesCommand({ InstanceIds: blue }))
    const blueIps = Reservations.flatMap((r) => r.Instances ?? []).map(
      (i) => `${i.PrivateIpAddress}:${REVOKER_PORT}`,
    )
    for (const id of green)
      assert.deepEqual(
        userDataEnv(await userDataOf(id))
          .GWDEPLOY_REVOKER_PEERS?.split(',')
          .sort(),
        blueIps.sort(),
      )
    for (const jti of ['aws-1', 'aws-2']) {
      const answers = await live(jti, 4)
      assert.deepEqual(new Set(answers.map((a) => a.instance)), new Set(green), JSON.stringify(answers))
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([401]), jti)
    }
    // A token nobody revoked passes the validator and reaches the (unreachable) backend.
    assert.deepEqual(new Set((await live('aws-3', 2)).map((a) => a.status)), new Set([500]))
  })

  it('what blue takes after green started reaches green while both run', async () => {
    const blue = await coloured('blue')
    await revoke(blue[0] as string, 'aws-late')
    const deadline = Date.now() + 45_000
    let statuses: number[] = []
    while (Date.now() < deadline) {
      statuses = (await live('aws-late', 2)).map((a) => a.status)
      if (statuses.every((s) => s === 401)) break
      await new Promise((resolve) => setTimeout(resolve, 1_000))
    }
    assert.deepEqual(statuses, [401, 401])
  })

  it('what green takes reaches blue, which pulls back from it: a rollback still refuses it', async () => {
    const green = await coloured('green')
    const blue = await coloured('blue')
    await revoke(green[1] as string, 'aws-on-green')
    const refusedOnBlue = async () => {
      for (const id of blue) {
        const [reply] = await goRevokeTool(await plane.revokerOf(id), [
          { method: 'Check', elems: ['jti-aws-on-green'] },
        ])
        if ((reply as { Checks?: boolean[] }).Checks?.[0] !== true) return false
      }
      return true
    }
    const deadline = Date.now() + 45_000
    while (!(await refusedOnBlue()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1_000))
    assert.equal(await refusedOnBlue(), true, 'blue took the revocation made on green')
    const back = await project.run(['rollback'])
    assert.equal(back.code, 0, back.stderr)
    const answers = await live('aws-on-green', 4)
    assert.deepEqual(new Set(answers.map((a) => a.instance)), new Set(blue), JSON.stringify(answers))
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([401]))
  })
})
