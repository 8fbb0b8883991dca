// auth/revoker in the real runtime: a cluster of workers, revocations sent by Go's net/rpc client
// (test/fixtures/go-rpc), JWTs refused by every worker once the revoke tool hears back.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { SlidingBloomFilter } from '../../../src/gateway/revoker/bloom-filter.ts'
import { buildGoFixture, runProgram } from '../../helpers/go.ts'
import { freePort, startBackend, type TestBackend } from '../helpers.ts'
import { type Gateway, main, REVOKER, rpc, startRuntime, statuses } from './runtime-process.ts'

async function union(gateway: Gateway, filter: SlidingBloomFilter, over: { n?: number } = {}) {
  const client = await buildGoFixture('union-client')
  const { previous, current, next } = filter.filters
  const spec = (f: typeof current) => ({
    m: f.m,
    k: f.k,
    hashName: f.hashName,
    bits: Buffer.from(f.bits).toString('base64'),
  })
  const result = await runProgram(client, [], {
    input: JSON.stringify({
      addr: `127.0.0.1:${gateway.revokerPort}`,
      n: over.n ?? filter.config.n,
      p: filter.config.p,
      ttl: 3600,
      filters: { previous: spec(previous), current: spec(current), next: spec(next) },
    }),
  })
  assert.equal(result.code, 0, result.stderr)
  return JSON.parse(result.stdout) as { capacity?: number; error?: string }
}

const workerPids = (gateway: Gateway) =>
  new Promise<number[]>((resolve) => {
    const ps = spawn('ps', ['-o', 'pid=', '--ppid', String(gateway.child.pid)])
    let text = ''
    ps.stdout.on('data', (c) => {
      text += c
    })
    ps.on('close', () => resolve(text.split(/\s+/).filter(Boolean).map(Number)))
  })

describe('auth/revoker in a cluster of two workers', () => {
  let dir: string
  let backend: TestBackend
  let gateway: Gateway

  before(async () => {
    await Promise.all([buildGoFixture('rpc-client'), buildGoFixture('union-client')])
    dir = mkdtempSync(join(tmpdir(), 'gw-revocations-'))
    backend = await startBackend('api')
    gateway = await startRuntime(dir, backend, REVOKER, 2)
  })
  after(async () => {
    await backend?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('an Add reaches every worker before the Go client hears back', async () => {
    assert.deepEqual(new Set(await statuses(gateway, 'tok-1')), new Set([200]))
    const results = await rpc(gateway, [
      { method: 'BloomfilterRPC.Add', args: 'add', elems: ['jti-tok-1'] },
      { method: 'BloomfilterRPC.Check', args: 'check', elems: ['jti-tok-1', 'jti-tok-2'] },
    ])
    assert.deepEqual(
      results?.map((r) => r.reply),
      [{ Count: 1 }, { Checks: [true, false] }],
    )
    assert.deepEqual(new Set(await statuses(gateway, 'tok-1')), new Set([401]))
    assert.deepEqual(new Set(await statuses(gateway, 'tok-2')), new Set([200]))
  })

  test("calls KrakenD's server refuses get its words", async () => {
    const results = await rpc(gateway, [
      { method: 'BloomfilterRPC.Union', args: 'add', elems: ['jti-x'] },
      { method: 'Foo.Bar', args: 'add', elems: [] },
      { method: 'BloomfilterRPC.Add', args: 'add', elems: [] },
    ])
    assert.deepEqual(
      results?.map((r) => r.error ?? r.reply),
      [
        'gob: type mismatch: no fields matched compiling decoder for UnionInput',
        "rpc: can't find service Foo.Bar",
        { Count: 0 },
      ],
    )
  })

  test('a filter sent through Union is merged in every worker; another n is refused with Go’s words', async () => {
    const remote = new SlidingBloomFilter({ n: 1000, p: 0.0001, hashName: 'optimal' })
    remote.add(new TextEncoder().encode('jti-from-union'))
    assert.deepEqual(await union(gateway, remote, { n: 999 }), { error: 'different n values 999 vs. 1000' })
    assert.deepEqual(new Set(await statuses(gateway, 'from-union')), new Set([200]))
    const answer = await union(gateway, remote)
    assert.ok(answer.capacity !== undefined && answer.capacity > 0, JSON.stringify(answer))
    assert.deepEqual(new Set(await statuses(gateway, 'from-union')), new Set([401]))
  })

  test('a worker started after a crash copies the filter before it serves', async () => {
    const before = await workerPids(gateway)
    assert.equal(before.length, 2, `workers: ${before}`)
    process.kill(before[0] as number, 'SIGKILL')
    const deadline = Date.now() + 20_000
    let now = before
    while (Date.now() < deadline) {
      now = await workerPids(gateway)
      if (now.length === 2 && !now.includes(before[0] as number)) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.ok(!now.includes(before[0] as number) && now.length === 2, `workers: ${now}`)
    // Every worker answers (the new one only once it has the filter): all refuse both revoked tokens.
    assert.deepEqual(new Set(await statuses(gateway, 'tok-1', 12)), new Set([401]))
    assert.deepEqual(new Set(await statuses(gateway, 'from-union', 12)), new Set([401]))
  })
})

test('a Union that changes more bytes than a list holds reaches every worker (the whole filter, in slices)', async () => {
  await Promise.all([buildGoFixture('rpc-client'), buildGoFixture('union-client')])
  const dir = mkdtempSync(join(tmpdir(), 'gw-revocations-'))
  const backend = await startBackend('api')
  try {
    // 240 KB per filter: a dense filter changes over 65,536 bytes.
    const revoker = { ...REVOKER, n: 100_000 }
    const gateway = await startRuntime(dir, backend, revoker, 2)
    await rpc(gateway, [{ method: 'BloomfilterRPC.Add', args: 'add', elems: ['jti-before'] }])
    const remote = new SlidingBloomFilter({ n: 100_000, p: revoker.p, hashName: 'optimal' })
    for (const f of Object.values(remote.filters)) f.bits.fill(0x11)
    remote.add(new TextEncoder().encode('jti-dense-union'))
    const answer = await union(gateway, remote)
    assert.ok(answer.capacity !== undefined && answer.capacity > 0.25, JSON.stringify(answer))
    for (const jti of ['before', 'dense-union'])
      assert.deepEqual(new Set(await statuses(gateway, jti, 8)), new Set([401]), jti)
    assert.deepEqual(new Set(await statuses(gateway, 'never', 8)), new Set([200]))
  } finally {
    await backend.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

describe('auth/revoker sliding in the runtime', () => {
  test('a revocation expires after the TTLs pass, in the owner and in the workers', async () => {
    await buildGoFixture('rpc-client')
    const dir = mkdtempSync(join(tmpdir(), 'gw-revocations-'))
    const backend = await startBackend('api')
    try {
      const gateway = await startRuntime(dir, backend, { ...REVOKER, ttl: 1 }, 2)
      const added = await rpc(gateway, [{ method: 'BloomfilterRPC.Add', args: 'add', elems: ['jti-short'] }])
      assert.deepEqual(added?.[0]?.reply, { Count: 1 })
      assert.deepEqual(new Set(await statuses(gateway, 'short', 4)), new Set([401]))
      const deadline = Date.now() + 15_000
      let revoked = true
      while (revoked && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250))
        const checked = await rpc(gateway, [
          { method: 'BloomfilterRPC.Check', args: 'check', elems: ['jti-short'] },
        ])
        revoked = (checked?.[0]?.reply as { Checks?: boolean[] } | undefined)?.Checks?.[0] === true
      }
      assert.equal(revoked, false, 'still revoked after 15 s with a TTL of 1 s')
      assert.deepEqual(new Set(await statuses(gateway, 'short', 6)), new Set([200]))
    } finally {
      await backend.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a revoker port taken, or an address not on this machine, stops the start (exit 2) naming what to change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-revocations-'))
    const backend = await startBackend('api')
    /** Runs the runtime on `extra` (one endpoint) until it exits; its exit code and stderr. */
    const exitOf = async (extra: Record<string, unknown>) => {
      const file = join(dir, 'second.json')
      const endpoints = [{ endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/echo' }] }]
      writeFileSync(file, JSON.stringify({ version: 3, extra_config: extra, endpoints }))
      const args = ['--config', file, '--port', String(await freePort()), '--listen-ip', '127.0.0.1']
      const child = spawn(process.execPath, [main, ...args, '--workers', '1'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      child.stderr?.on('data', (c) => {
        stderr += c
      })
      const code = await new Promise((resolve) => child.on('exit', resolve))
      return { code, stderr }
    }
    try {
      const first = await startRuntime(dir, backend, REVOKER, 1)
      const taken = await exitOf({ 'auth/revoker': { ...REVOKER, port: first.revokerPort } })
      assert.equal(taken.code, 2, taken.stderr)
      assert.match(taken.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${first.revokerPort}`))
      assert.match(taken.stderr, /choose another port with --revoker-port/)
      // gwdeploy/runtime's revoker_listen_ip is where it listens (192.0.2.1 is on no machine: no bind).
      const foreign = await exitOf({
        'auth/revoker': { ...REVOKER, port: first.revokerPort },
        'gwdeploy/runtime': { revoker_listen_ip: '192.0.2.1' },
      })
      assert.equal(foreign.code, 2, foreign.stderr)
      assert.match(foreign.stderr, new RegExp(`cannot listen on 192\\.0\\.2\\.1:${first.revokerPort}`))
      assert.match(foreign.stderr, /revoker_listen_ip must be an address of this machine/)
      // A name is refused when the config is read, at its path, before anything listens.
      const named = await exitOf({
        'auth/revoker': { ...REVOKER, port: first.revokerPort },
        'gwdeploy/runtime': { revoker_listen_ip: 'localhost' },
      })
      assert.equal(named.code, 2, named.stderr)
      assert.match(
        named.stderr,
        /gwdeploy\/runtime\.revoker_listen_ip\): "revoker_listen_ip" must be an IP address, got "localhost"/,
      )
    } finally {
      await backend.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

test('--revoker-port and GATEWAY_REVOKER_PORT move the revoker; a bad value is a usage error', async () => {
  const { parseRunArgs } = await import('../../../src/gateway/cli.ts')
  assert.equal(
    (parseRunArgs(['-c', 'x.json', '--revoker-port', '4321'], {}) as { revokerPort?: number }).revokerPort,
    4321,
  )
  assert.equal(
    (parseRunArgs(['-c', 'x.json'], { GATEWAY_REVOKER_PORT: '0' }) as { revokerPort?: number }).revokerPort,
    0,
  )
  assert.throws(
    () => parseRunArgs(['-c', 'x.json', '--revoker-port', '70000'], {}),
    /--revoker-port must be an integer 0\.\.65535/,
  )
})
