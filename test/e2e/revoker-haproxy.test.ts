/**
 * auth/revoker on haproxy Docker hosts: the image carries the validator's public key set (shipped
 * beside the config), the revoker port is published beside the gateway's, `status` names it, Go's
 * net/rpc client revokes a token there and HAProxy's traffic refuses it, also once the next release
 * took over (carried through the published ports). A revoker without a fixed port is refused before
 * anything is built.
 */
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type Dockerode from 'dockerode'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { stringify } from 'yaml'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'
import { testDocker, uniqueName } from '../helpers/docker.ts'
import { buildGoFixture } from '../helpers/go.ts'
import { goRevokeTool, revokerGatewayConfig } from '../helpers/revoke-tool.ts'
import { requireBaseImage, requireDocker, requireRegistry } from '../helpers/services.ts'
import { type HaproxyInstance, haproxyConfig, startHaproxy } from '../providers/haproxy/helpers.ts'

const keys = await generateKeyPair('RS256')

describe('auth/revoker on haproxy Docker hosts', { concurrency: false }, () => {
  let project: Project
  let lb: HaproxyInstance
  let docker: Dockerode
  const target = uniqueName('e2e')
  const token = (jti: string) =>
    new SignJWT({ jti })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setExpirationTime('5m')
      .sign(keys.privateKey)
  const gatewayConfig = (port: number) =>
    revokerGatewayConfig({
      name: 'e2e',
      port,
      hashName: 'default',
      validator: { alg: 'RS256', jwk_local_path: 'keys/public.json', disable_jwk_security: true },
    })
  let config: ReturnType<typeof haproxyConfig>
  const containers = () =>
    docker.listContainers({ all: true, filters: { label: [`gwdeploy.target=${target}`] } })
  const status = async (jti: string) =>
    (
      await fetch(`http://127.0.0.1:${lb.port}/v1/private`, {
        headers: { authorization: `Bearer ${await token(jti)}` },
      })
    ).status

  before(async () => {
    const { host } = await requireDocker()
    docker = (await testDocker()).docker
    await buildGoFixture('rpc-client')
    project = await makeProject()
    lb = await startHaproxy()
    await mkdir(join(project.dir, 'keys'))
    await writeFile(
      join(project.dir, 'keys', 'public.json'),
      JSON.stringify({
        keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }],
      }),
    )
    config = haproxyConfig({
      service: target,
      instances: [lb],
      dockerHost: host,
      repository: `${(await requireRegistry()).host}/gwdeploy-test/${uniqueName('rvk')}`,
      baseImage: await requireBaseImage(),
      size: 1,
    })
    await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
  })
  after(async () => {
    await project?.cleanup()
    for (const info of await containers().catch(() => []))
      await docker
        .getContainer(info.Id)
        .remove({ force: true })
        .catch(() => {})
    await lb?.stop()
  })

  it('a revoker without a fixed port is refused before anything is built', async () => {
    await writeFile(join(project.dir, 'gateway.json'), JSON.stringify(gatewayConfig(0)))
    const result = await project.run(['release', '--sha', sha(1)])
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr, /auth\/revoker has no fixed port/)
    assert.match(result.stderr, /extra_config\.auth\/revoker\.port/)
    assert.deepEqual(await containers(), [])
  })

  it('the published revoker port takes revocations; HAProxy traffic with a revoked token gets 401', async () => {
    await writeFile(join(project.dir, 'gateway.json'), JSON.stringify(gatewayConfig(1234)))
    const released = await project.run(['release', '--sha', sha(1)])
    assert.equal(released.code, 0, released.stderr)
    const { envelope } = await project.json<{
      result: { colours: Array<{ colour: string; nodes: Array<{ meta?: { revoker?: string } }> }> }
    }>(['status'])
    const revoker = envelope.result.colours.find((c) => c.colour === 'blue')?.nodes[0]?.meta?.revoker
    assert.match(revoker ?? '', /^127\.0\.0\.1:\d+$/, JSON.stringify(envelope.result))
    // The key set shipped in the image: a valid token reaches the (unreachable) backend: 500.
    assert.equal(await status('hap-1'), 500)
    assert.deepEqual(await goRevokeTool(revoker as string, [{ method: 'Add', elems: ['jti-hap-1'] }]), [
      { Count: 1 },
    ])
    assert.equal(await status('hap-1'), 401)
    assert.equal(await status('hap-2'), 500)
  })

  it("the next release's container gets the revocations before HAProxy sends it traffic", async () => {
    const released = await project.run(['release', '--sha', sha(2)])
    assert.equal(released.code, 0, released.stderr)
    assert.match(released.stdout + released.stderr, /revocations of 1 node\(s\) carried from blue into green/)
    assert.equal(await status('hap-1'), 401)
    assert.equal(await status('hap-2'), 500)
  })

  it('gwdeploy revoke reaches the containers of both colours on their published ports', async () => {
    assert.equal(await status('hap-3'), 500)
    const revoked = await project.run(['revoke', 'jti=hap-3'])
    assert.equal(revoked.code, 0, revoked.stderr)
    assert.deepEqual(
      revoked.stdout
        .trim()
        .split('\n')
        .map((l) => /^(blue|green) \S+ \(127\.0\.0\.1:\d+\): revoked$/.exec(l)?.[1]),
      ['blue', 'green'],
      revoked.stdout,
    )
    assert.equal(await status('hap-3'), 401)
  })

  it('a second HAProxy instance that cannot be reached does not stop a revocation (a warning names it)', async () => {
    const withDeadLb = structuredClone(config) as { provider: { haproxy: { instances: object[] } } }
    withDeadLb.provider.haproxy.instances.push({
      ...withDeadLb.provider.haproxy.instances[0],
      name: 'lb2',
      socket: join(project.dir, 'gone.sock'),
    })
    await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(withDeadLb))
    try {
      assert.equal(await status('hap-4'), 500)
      const revoked = await project.run(['revoke', 'jti=hap-4'])
      assert.equal(revoked.code, 0, revoked.stderr)
      assert.match(revoked.stderr, /HAProxy lb2: runtime API at .*gone\.sock is not reachable/)
      assert.match(revoked.stdout, /^blue .*: revoked\ngreen .*: revoked$/m)
      assert.equal(await status('hap-4'), 401)
    } finally {
      await writeFile(join(project.dir, 'gwdeploy.yml'), stringify(config))
    }
  })
})
