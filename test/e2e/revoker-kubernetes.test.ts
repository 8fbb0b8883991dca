/**
 * auth/revoker on the real test cluster: the kubernetes provider's revokerEndpoints() opens a
 * loopback listener per pod that forwards each connection through the API server's
 * pods/portforward (as the ServiceAccount bound to the shipped Role), Go's net/rpc client adds and
 * checks token ids through each one and reaches that pod's own filter; close() stops the
 * listeners. A second release through the CLI carries what every blue pod revoked into each green
 * pod before the live Service selects green, and the live route refuses the revoked token.
 */
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { openTarget, type Target } from '../../src/core/target.ts'
import { connect } from '../../src/providers/kubernetes/client.ts'
import { openPortForward } from '../../src/providers/kubernetes/port-forward.ts'
import type { Fleet, RevokerEndpoint } from '../../src/providers/types.ts'
import { buildGoFixture } from '../helpers/go.ts'
import { goRevokeTool, revokerGatewayConfig } from '../helpers/revoke-tool.ts'
import {
  auditedRequests,
  makeRealKubeProject,
  type RealKubeProject,
  sha,
} from '../providers/kubernetes/real-project.ts'

const REVOKER_PORT = 1234

const keys = await generateKeyPair('RS256')
const token = (jti: string) =>
  new SignJWT({ jti })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setExpirationTime('5m')
    .sign(keys.privateKey)

const gatewayConfig = revokerGatewayConfig({
  name: 'k8s',
  port: REVOKER_PORT,
  hashName: 'default',
  endpoint: { output_encoding: 'no-op' },
  // The backend answers: the pod's own gateway health (it names the service and the release).
  backend: { host: ['http://127.0.0.1:8080'], url_pattern: '/__health', encoding: 'no-op' },
  validator: { alg: 'RS256', jwk_local_path: 'keys/public.json', disable_jwk_security: true },
})

/** One rpc.Dial to `endpoint` running `calls` in order; the replies (a failed call fails the test). */
const rpc = (endpoint: RevokerEndpoint, calls: Array<{ args: 'add' | 'check'; elems: string[] }>) =>
  goRevokeTool(
    `${endpoint.host}:${endpoint.port}`,
    calls.map((c) => ({ method: c.args === 'add' ? 'Add' : 'Check', elems: c.elems })),
  )

const refused = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve('connected')
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })

/** Connects, sends a byte, resolves once the forwarder closes the connection (with what came back). */
const closedByForwarder = (port: number) =>
  new Promise<{ received: number; error: string | undefined }>((resolve) => {
    let received = 0
    let error: string | undefined
    const socket = net.connect(port, '127.0.0.1', () => socket.write('x'))
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length
    })
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message
    })
    socket.on('close', () => resolve({ received, error }))
  })

describe('auth/revoker on kubernetes (real cluster): revokerEndpoints through pods/portforward', {
  concurrency: false,
}, () => {
  let project: RealKubeProject
  let target: Target | undefined
  let fleet: Fleet
  let endpoints: RevokerEndpoint[] = []

  before(async () => {
    await buildGoFixture('rpc-client')
    project = await makeRealKubeProject()
    await project.writeConfig({ top: { fleet: { size: 2, port: 8080 } } })
    await mkdir(join(project.dir, 'keys'))
    await writeFile(
      join(project.dir, 'keys', 'public.json'),
      JSON.stringify({
        keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }],
      }),
    )
    await writeFile(join(project.dir, 'gateway.json'), JSON.stringify(gatewayConfig))
  })
  after(async () => {
    await target?.provider.close?.()
    await project?.cleanup()
  })

  /**
   * GET /v1/private on the live Service through the API server's service proxy, the token in the
   * validator's cookie (the API server keeps the Authorization header for itself). The revoker
   * checks "<token key>-<value>": a token with jti `carried` is revoked by the id `jti-carried`.
   */
  const liveRoute = async (jti: string) => {
    const answer = await project.cluster.call(
      'GET',
      `/api/v1/namespaces/${project.namespace}/services/${project.service}:http/proxy/v1/private`,
      undefined,
      undefined,
      { cookie: `access_token=${await token(jti)}` },
    )
    return { status: answer.status, body: answer.body }
  }
  /**
   * A few requests (the Service spreads them over the pods): each one refused (401), or each one
   * answered by the backend: the serving pod's own health, naming the release `sha(release)`.
   */
  const assertLiveRoute = async (jti: string, expected: 401 | { release: number }) => {
    for (let i = 0; i < 6; i++) {
      const answer = await liveRoute(jti)
      if (expected === 401) assert.equal(answer.status, 401, `${jti}: ${answer.body}`)
      else {
        assert.equal(answer.status, 200, `${jti}: ${answer.body}`)
        const name = `${project.service} rev-${sha(expected.release).slice(0, 7)}`
        assert.equal((JSON.parse(answer.body) as { name: string }).name, name, answer.body)
      }
    }
  }

  it('releases a config with auth/revoker: each pod declares the revoker container port', async () => {
    const result = await project.run(['release', '--sha', sha(1)])
    assert.equal(result.exitCode, 0, result.stderr)
    const pods = await project.pods('blue')
    assert.equal(pods.length, 2)
    for (const pod of pods)
      assert.deepEqual(
        pod.spec.containers[0].ports.find((p: { name: string }) => p.name === 'revoker'),
        { name: 'revoker', containerPort: REVOKER_PORT, protocol: 'TCP' },
      )
  })

  it('revokerEndpoints gives one loopback endpoint per pod, reused on a second call', async () => {
    target = await openTarget({ cwd: project.dir })
    const blue = (await target.provider.inspect()).fleets.blue
    assert.ok(blue, 'blue serves')
    fleet = blue
    assert.ok(target.provider.revokerEndpoints, 'the kubernetes provider implements revokerEndpoints')
    endpoints = await target.provider.revokerEndpoints(fleet)
    const pods = (await project.pods('blue')).map((pod) => pod.metadata.name as string).sort()
    assert.deepEqual(endpoints.map((e) => e.node).sort(), pods)
    assert.deepEqual(
      fleet.nodes.map((n) => n.id),
      endpoints.map((e) => e.node),
    )
    for (const endpoint of endpoints) {
      assert.equal(endpoint.host, '127.0.0.1')
      assert.ok(endpoint.port > 0)
    }
    assert.equal(new Set(endpoints.map((e) => e.port)).size, endpoints.length, 'a listener per pod')
    assert.deepEqual(await target.provider.revokerEndpoints(fleet), endpoints)
  })

  it("Go's net/rpc client adds and checks token ids through each endpoint, in that pod's own filter", async () => {
    for (const endpoint of endpoints) {
      const replies = await rpc(endpoint, [
        { args: 'add', elems: [`jti-${endpoint.node}`] },
        { args: 'check', elems: [`jti-${endpoint.node}`, 'jti-never-revoked'] },
      ])
      assert.deepEqual(replies, [{ Count: 1 }, { Checks: [true, false] }])
    }
    // A new connection through the same listener reaches the same pod: each filter has its own id only.
    for (const endpoint of endpoints) {
      const [own, ...others] = [endpoint, ...endpoints.filter((e) => e !== endpoint)].map(
        (e) => `jti-${e.node}`,
      )
      const replies = await rpc(endpoint, [{ args: 'check', elems: [own as string, ...others] }])
      assert.deepEqual(replies, [{ Checks: [true, ...others.map(() => false)] }])
    }
  })

  it('the ServiceAccount needed only the shipped Role for it (pods/portforward)', async () => {
    const requests = await auditedRequests(project.namespace)
    const forwards = requests.filter((r) => r.permission.startsWith('core pods/portforward '))
    assert.ok(forwards.length >= endpoints.length * 2, JSON.stringify(requests.slice(-10)))
    assert.deepEqual(
      requests.filter((r) => r.code === 401 || r.code === 403),
      [],
      'requests the Role did not allow',
    )
  })

  it("after the provider's close() the listeners refuse connections", async () => {
    await target?.provider.close?.()
    target = undefined
    for (const endpoint of endpoints) assert.equal(await refused(endpoint.port), 'ECONNREFUSED')
  })

  it('a forward that fails closes that connection, says why, and the listener keeps serving', async () => {
    const client = await connect({ kubeconfig: 'kubeconfig.yaml', dir: project.dir })
    const pod = endpoints[0]?.node ?? ''
    const heard: string[] = []
    // Nothing listens on 1235 in the pod: the kubelet answers on the port-forward's error stream.
    const closedPort = await openPortForward(client, { namespace: project.namespace, pod, port: 1235 }, (m) =>
      heard.push(m),
    )
    // No such pod: the API server refuses the websocket upgrade.
    const noPod = await openPortForward(
      client,
      { namespace: project.namespace, pod: 'no-such-pod', port: REVOKER_PORT },
      (m) => heard.push(m),
    )
    try {
      for (const forwarder of [closedPort, noPod]) {
        for (let i = 0; i < 2; i++) {
          const closed = await closedByForwarder(forwarder.port)
          assert.equal(closed.received, 0, JSON.stringify(closed))
        }
      }
      assert.ok(
        heard.some((m) => m.includes(`${pod} port 1235`) && /connection refused/.test(m)),
        heard.join('\n'),
      )
      assert.ok(
        heard.some((m) => m.includes('no-such-pod') && /404/.test(m)),
        heard.join('\n'),
      )
    } finally {
      await closedPort.close()
      await noPod.close()
    }
  })

  it("a second release through the CLI carries every blue pod's revocations into each green pod before the live Service selects green", async () => {
    target = await openTarget({ cwd: project.dir })
    const blue = (await target.provider.inspect()).fleets.blue
    assert.ok(blue, 'blue serves')
    assert.ok(target.provider.revokerEndpoints)
    const blueEndpoints = await target.provider.revokerEndpoints(blue)
    assert.equal(blueEndpoints.length, 2)
    await assertLiveRoute('carried', { release: 1 })
    // One id revoked on every blue pod, and one on each pod alone (green must get the union of both filters).
    for (const endpoint of blueEndpoints)
      assert.deepEqual(
        await rpc(endpoint, [
          { args: 'add', elems: ['jti-carried'] },
          { args: 'add', elems: [`jti-only-${endpoint.node}`] },
        ]),
        [{ Count: 1 }, { Count: 1 }],
      )
    await assertLiveRoute('carried', 401)
    await assertLiveRoute('other', { release: 1 })
    await target.provider.close?.()
    target = undefined

    const released = await project.run(['release', '--sha', sha(2)])
    assert.equal(released.exitCode, 0, released.stderr + released.stdout)
    assert.match(
      released.stdout + released.stderr,
      /auth\/revoker: revocations of 2 node\(s\) carried from blue into green \(2 node\(s\)\)/,
    )
    assert.equal(await project.liveColour(), 'green')

    target = await openTarget({ cwd: project.dir })
    const green = (await target.provider.inspect()).fleets.green
    assert.ok(green, 'green serves')
    const greenEndpoints = (await target.provider.revokerEndpoints?.(green)) ?? []
    const greenPods = (await project.pods('green')).map((pod) => pod.metadata.name as string).sort()
    assert.equal(greenPods.length, 2)
    assert.deepEqual(greenEndpoints.map((e) => e.node).sort(), greenPods)
    for (const pod of greenPods) assert.ok(!blueEndpoints.some((e) => e.node === pod), `${pod} is new`)
    // Nobody sent green anything: what its filters hold came from blue's.
    const onlyIds = blueEndpoints.map((e) => `jti-only-${e.node}`)
    for (const endpoint of greenEndpoints)
      assert.deepEqual(
        await rpc(endpoint, [{ args: 'check', elems: ['jti-carried', ...onlyIds, 'jti-other'] }]),
        [{ Checks: [true, true, true, false] }],
        endpoint.node,
      )
    await target.provider.close?.()
    target = undefined
    await assertLiveRoute('carried', 401)
    await assertLiveRoute('other', { release: 2 })
  })

  it('gwdeploy revoke reaches every pod of both colours through port-forwards; --check asks them', async () => {
    await assertLiveRoute('revoked-by-cli', { release: 2 })
    const revoked = await project.run(['revoke', 'jti=revoked-by-cli'])
    assert.equal(revoked.exitCode, 0, revoked.stderr + revoked.stdout)
    const lines = revoked.stdout.trim().split('\n')
    assert.deepEqual(
      lines.map((l) => l.split(' ')[0]).sort(),
      ['blue', 'blue', 'green', 'green'],
      revoked.stdout,
    )
    assert.ok(
      lines.every((l) => l.endsWith(': revoked')),
      revoked.stdout,
    )
    await assertLiveRoute('revoked-by-cli', 401)
    const checked = await project.run(['revoke', 'jti=revoked-by-cli', 'jti=never', '--check', '--json'])
    assert.equal(checked.exitCode, 0, checked.stderr)
    const result = JSON.parse(checked.stdout).result as { nodes: Array<{ checks: boolean[] }> }
    assert.deepEqual(
      result.nodes.map((n) => n.checks),
      [
        [true, false],
        [true, false],
        [true, false],
        [true, false],
      ],
    )
  })

  it('a fleet whose config has no auth/revoker has no revoker endpoints', async () => {
    await project.writeConfig({ top: { fleet: { size: 1, port: 8080 } } })
    await writeFile(
      join(project.dir, 'gateway.json'),
      JSON.stringify({ ...gatewayConfig, extra_config: {}, endpoints: [] }),
    )
    const result = await project.run(['release', '--sha', sha(3)])
    assert.equal(result.exitCode, 0, result.stderr)
    // The release before went to green: this one is blue again.
    assert.equal(await project.liveColour(), 'blue')
    target = await openTarget({ cwd: project.dir })
    const blue = (await target.provider.inspect()).fleets.blue
    assert.equal(blue?.nodes.length, 1)
    assert.deepEqual(await target.provider.revokerEndpoints?.(blue as Fleet), [])
  })
})
