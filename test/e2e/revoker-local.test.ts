/**
 * auth/revoker through real releases on the local provider: each node takes revocations on a port
 * of its own (both colours run on this machine), `status` shows it, Go's net/rpc client revokes a
 * token there and the live traffic refuses it; a release and a rollback carry what the serving
 * colour revoked into the colour that takes over.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { SignJWT } from 'jose'
import { makeProject, type Project, sha } from '../core/helpers/project.ts'
import { buildGoFixture } from '../helpers/go.ts'
import { goRevokeTool, revokerGatewayConfig } from '../helpers/revoke-tool.ts'

const secret = new TextEncoder().encode('a-symmetric-secret-of-32-bytes!!')
const token = (jti: string) =>
  new SignJWT({ jti }).setProtectedHeader({ alg: 'HS256', kid: 'sym' }).setExpirationTime('5m').sign(secret)

interface StatusNode {
  id: string
  meta?: { revoker?: number; pid?: number }
}

describe('auth/revoker on local releases', () => {
  let project: Project

  const revokerPorts = async (colour: string): Promise<number[]> => {
    const { code, envelope } = await project.json<{
      result: { colours: Array<{ colour: string; nodes: StatusNode[] }> }
    }>(['status'])
    assert.equal(code, 0)
    const nodes = envelope.result.colours.find((c) => c.colour === colour)?.nodes ?? []
    return nodes.map((n) => n.meta?.revoker ?? 0)
  }
  /** Go's revoke tool against every given port: Add (or Check) the elements, the replies back. */
  const rpc = async (ports: number[], method: 'Add' | 'Check', elems: string[]) => {
    const replies: unknown[] = []
    for (const port of ports) replies.push(...(await goRevokeTool(`127.0.0.1:${port}`, [{ method, elems }])))
    return replies
  }
  const status = async (jti: string) =>
    (
      await fetch(`http://127.0.0.1:${project.port}/v1/private`, {
        headers: { authorization: `Bearer ${await token(jti)}` },
      })
    ).status

  before(async () => {
    await buildGoFixture('rpc-client')
    project = await makeProject({ size: 2 })
    const keys = join(project.dir, 'keys.json')
    await writeFile(
      keys,
      JSON.stringify({
        keys: [{ kty: 'oct', kid: 'sym', alg: 'HS256', k: Buffer.from(secret).toString('base64url') }],
      }),
    )
    await writeFile(
      join(project.dir, 'gateway.json'),
      JSON.stringify(
        revokerGatewayConfig({
          name: 'e2e',
          port: 1234,
          hashName: 'optimal',
          validator: { alg: 'HS256', jwk_local_path: keys, disable_jwk_security: true },
        }),
      ),
    )
  })
  after(async () => {
    await project?.cleanup()
  })

  it('each node has its own revoker port; a token revoked on every node is refused', async () => {
    const released = await project.run(['release', '--sha', sha(1)])
    assert.equal(released.code, 0, released.stderr)
    const ports = await revokerPorts('blue')
    assert.equal(ports.length, 2)
    assert.ok(ports.every((p) => p > 0) && new Set(ports).size === 2, `revoker ports ${ports}`)
    // The backend is down: a token that passes the validator gets KrakenD's 500, a revoked one 401.
    assert.equal(await status('e2e-1'), 500)
    assert.deepEqual(await rpc(ports, 'Add', ['jti-e2e-1']), [{ Count: 1 }, { Count: 1 }])
    for (let i = 0; i < 6; i++) assert.equal(await status('e2e-1'), 401)
    assert.equal(await status('e2e-2'), 500)
  })

  it("the next release gets blue's revocations before it takes traffic (its nodes on other ports)", async () => {
    const blue = await revokerPorts('blue')
    const released = await project.run(['release', '--sha', sha(2)])
    assert.equal(released.code, 0, released.stderr)
    assert.match(
      released.stdout + released.stderr,
      /revocations of 2 node\(s\) carried from blue into green \(2 node\(s\)\)/,
    )
    const green = await revokerPorts('green')
    assert.equal(green.length, 2)
    assert.deepEqual(await revokerPorts('blue'), blue, 'the kept colour keeps its ports')
    assert.equal(new Set([...blue, ...green]).size, 4, `blue ${blue}, green ${green}`)
    // Nobody sent green anything: what it refuses, it got from blue.
    assert.deepEqual(await rpc(green, 'Check', ['jti-e2e-1', 'jti-e2e-2']), [
      { Checks: [true, false] },
      { Checks: [true, false] },
    ])
    for (let i = 0; i < 6; i++) assert.equal(await status('e2e-1'), 401)
    assert.equal(await status('e2e-2'), 500)
  })

  it('a rollback takes what was revoked on the live colour back with it', async () => {
    const [green, blue] = [await revokerPorts('green'), await revokerPorts('blue')]
    await rpc(green, 'Add', ['jti-e2e-3'])
    assert.deepEqual(await rpc(blue, 'Check', ['jti-e2e-3']), [{ Checks: [false] }, { Checks: [false] }])
    const rolled = await project.run(['rollback'])
    assert.equal(rolled.code, 0, rolled.stderr)
    assert.deepEqual(await rpc(blue, 'Check', ['jti-e2e-1', 'jti-e2e-3']), [
      { Checks: [true, true] },
      { Checks: [true, true] },
    ])
    for (const jti of ['e2e-1', 'e2e-3']) assert.equal(await status(jti), 401, jti)
    assert.equal(await status('e2e-2'), 500)
  })

  it('gwdeploy revoke reaches every node of both colours; --check asks them; bad claims change nothing', async () => {
    const nodes = [...(await revokerPorts('blue')), ...(await revokerPorts('green'))]
    const wrongKey = await project.run(['revoke', 'sub=mallory'])
    assert.equal(wrongKey.code, 2, wrongKey.stderr)
    assert.match(wrongKey.stderr, /auth\/revoker looks up "jti" only: a revoked "sub" would never be refused/)
    const notAClaim = await project.run(['revoke', 'jti'])
    assert.equal(notAClaim.code, 2, notAClaim.stderr)
    assert.match(notAClaim.stderr, /"jti" is not CLAIM=VALUE/)
    assert.deepEqual(
      await rpc(nodes, 'Check', ['sub-mallory']),
      nodes.map(() => ({ Checks: [false] })),
    )

    const revoked = await project.run(['revoke', 'jti=e2e-4'])
    assert.equal(revoked.code, 0, revoked.stderr)
    assert.equal(
      revoked.stdout
        .trim()
        .split('\n')
        .filter((l) => l.endsWith(': revoked')).length,
      4,
      revoked.stdout,
    )
    assert.deepEqual(
      await rpc(nodes, 'Check', ['jti-e2e-4']),
      nodes.map(() => ({ Checks: [true] })),
    )
    assert.equal(await status('e2e-4'), 401)
    const { code, envelope } = await project.json<{
      result: { elements: string[]; nodes: Array<{ colour: string; checks: boolean[] }> }
    }>(['revoke', 'jti=e2e-4', 'jti=e2e-5', '--check'])
    assert.equal(code, 0)
    assert.deepEqual(envelope.result.elements, ['jti-e2e-4', 'jti-e2e-5'])
    assert.deepEqual(
      envelope.result.nodes.map((n) => [n.colour, n.checks]),
      [
        ['blue', [true, false]],
        ['blue', [true, false]],
        ['green', [true, false]],
        ['green', [true, false]],
      ],
    )
  })

  it('a node that does not answer is exit 6 naming it; the others took the revocation', async () => {
    const { envelope } = await project.json<{
      result: { colours: Array<{ colour: string; nodes: StatusNode[] }> }
    }>(['status'])
    const green = envelope.result.colours.find((c) => c.colour === 'green')?.nodes ?? []
    const dead = green[0]
    assert.ok(dead?.meta?.pid, JSON.stringify(green))
    process.kill(dead.meta.pid, 'SIGKILL')
    await new Promise((resolve) => setTimeout(resolve, 200))
    const result = await project.run(['revoke', 'jti=e2e-6'])
    assert.equal(result.code, 6, result.stderr)
    assert.match(
      result.stderr,
      new RegExp(`1 of 4 node\\(s\\) did not answer: ${dead.id} \\(127\\.0\\.0\\.1:${dead.meta.revoker}\\)`),
    )
    assert.match(result.stderr, /run the same command again/)
    assert.deepEqual(await rpc(await revokerPorts('blue'), 'Check', ['jti-e2e-6']), [
      { Checks: [true] },
      { Checks: [true] },
    ])
  })
})
