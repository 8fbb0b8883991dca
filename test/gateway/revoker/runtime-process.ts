// The gateway runtime as a child process with auth/revoker, and the Go revoke tool's calls to it
// (test/fixtures/go-rpc): shared by the revoker process tests.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after } from 'node:test'
import { SignJWT } from 'jose'
import { request } from 'undici'
import { buildGoFixture, runProgram } from '../../helpers/go.ts'
import { freePort, type TestBackend } from '../helpers.ts'

export const main = new URL('../../../src/gateway/main.ts', import.meta.url).pathname
const secret = new TextEncoder().encode('a-symmetric-secret-of-32-bytes!!')
export const REVOKER = { n: 1000, p: 0.0001, hash_name: 'optimal', ttl: 3600, token_keys: ['jti'] }

export interface Gateway {
  child: ChildProcess
  port: number
  revokerPort: number
  output: () => string
}

const started: Gateway[] = []
after(() => {
  for (const g of started)
    try {
      if (g.child.pid) process.kill(-g.child.pid, 'SIGKILL')
    } catch {
      // gone already
    }
})

export interface StartOptions {
  /** More runtime flags (--revoker-peers ...). */
  args?: string[]
  revokerPort?: number
  /** Return once spawned, not once it listens. */
  spawnOnly?: boolean
}

export async function startRuntime(
  dir: string,
  backend: TestBackend,
  revoker: Record<string, unknown>,
  workers: number,
  options: StartOptions = {},
) {
  const [port, revokerPort] = [await freePort(), options.revokerPort ?? (await freePort())]
  const keys = join(dir, 'keys.json')
  writeFileSync(
    keys,
    JSON.stringify({
      keys: [{ kty: 'oct', kid: 'sym', alg: 'HS256', k: Buffer.from(secret).toString('base64url') }],
    }),
  )
  const file = join(dir, `gateway-${port}.json`)
  writeFileSync(
    file,
    JSON.stringify({
      version: 3,
      name: 'revoker test',
      extra_config: { 'auth/revoker': { ...revoker, port: revokerPort } },
      endpoints: [
        {
          endpoint: '/a',
          backend: [{ host: [backend.origin], url_pattern: '/echo' }],
          extra_config: {
            'auth/validator': { alg: 'HS256', jwk_local_path: keys, disable_jwk_security: true },
          },
        },
      ],
    }),
  )
  const child = spawn(
    process.execPath,
    [
      main,
      '--config',
      file,
      '--port',
      String(port),
      '--listen-ip',
      '127.0.0.1',
      '--workers',
      String(workers),
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  )
  let output = ''
  child.stdout?.on('data', (c) => {
    output += c
  })
  child.stderr?.on('data', (c) => {
    output += c
  })
  const gateway = { child, port, revokerPort, output: () => output }
  started.push(gateway)
  if (options.spawnOnly) return gateway
  await listening(gateway, workers)
  return gateway
}

/** Resolves once the runtime says it listens; throws with its output if it exits or takes 30 s. */
export async function listening(gateway: Gateway, workers: number): Promise<void> {
  const { child, output } = gateway
  const deadline = Date.now() + 30_000
  const said = workers > 1 ? `with ${workers} workers` : 'listening on'
  while (!output().includes(said)) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`the gateway did not start:\n${output()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export const token = (jti: string) =>
  new SignJWT({ jti }).setProtectedHeader({ alg: 'HS256', kid: 'sym' }).setExpirationTime('5m').sign(secret)

/** Statuses of `count` requests, each on a new connection (spread over the workers). */
export async function statuses(gateway: Gateway, jti: string, count = 8): Promise<number[]> {
  const authorization = `Bearer ${await token(jti)}`
  const out: number[] = []
  for (let i = 0; i < count; i++) {
    const res = await request(`http://127.0.0.1:${gateway.port}/a`, {
      headers: { authorization, connection: 'close' },
      reset: true,
    })
    await res.body.dump()
    out.push(res.statusCode)
  }
  return out
}

export async function rpc(
  gateway: Gateway,
  calls: Array<{ method: string; args: 'add' | 'check'; elems: string[] }>,
) {
  const client = await buildGoFixture('rpc-client')
  const result = await runProgram(client, [], {
    input: JSON.stringify({ addr: `127.0.0.1:${gateway.revokerPort}`, connections: [{ calls }] }),
  })
  assert.equal(result.code, 0, result.stderr)
  return (
    JSON.parse(result.stdout) as {
      connections: Array<{ results: Array<{ error?: string; reply?: unknown }> }>
    }
  ).connections[0]?.results
}
