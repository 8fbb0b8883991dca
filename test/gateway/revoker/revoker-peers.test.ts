// --revoker-peers: a node that starts next to serving ones takes their revocations before it
// serves, waits (not serving) while none answers, and keeps pulling them while they run.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { type AddressInfo, createServer as createNetServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { RevokerConfig } from '../../../src/gateway/components/revoker.ts'
import { SlidingBloomFilter } from '../../../src/gateway/revoker/bloom-filter.ts'
import { parsePeers } from '../../../src/gateway/revoker/peer-addresses.ts'
import { createPeering, followPeers, pullAtStart } from '../../../src/gateway/revoker/peers.ts'
import { revocationStore, startRevocationService } from '../../../src/gateway/revoker/revocation-service.ts'
import { buildGoFixture } from '../../helpers/go.ts'
import { startBackend, type TestBackend } from '../helpers.ts'
import { listening, REVOKER, rpc, startRuntime, statuses } from './runtime-process.ts'

const utf8 = new TextEncoder()
const CONFIG: RevokerConfig = {
  n: 1000,
  p: 0.0001,
  hashName: 'optimal',
  ttlS: 3600,
  port: 0,
  tokenKeys: ['jti'],
}
const waitFor = async (what: string, ok: () => boolean, ms = 30_000, said = () => '') => {
  const deadline = Date.now() + ms
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${said()}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** Resolves once the runtime says it waits for a peer (it serves nothing meanwhile). */
const waitingForPeers = (runtime: { output: () => string }) =>
  waitFor(
    'the wait to be said',
    () => runtime.output().includes('not serving until one answers'),
    30_000,
    runtime.output,
  )

/**
 * A port held by a server that cuts every connection at once: a peer that does not answer. Held,
 * not just free, so no other test's server can take it meanwhile (which would make the read wait).
 */
async function silentPeer(): Promise<{ port: number; release(): Promise<void> }> {
  const server = createNetServer((socket) => socket.destroy())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    release: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
const add = (gateway: { revokerPort: number }, jti: string) =>
  rpc(gateway as never, [{ method: 'BloomfilterRPC.Add', args: 'add', elems: [`jti-${jti}`] }])

describe('the runtime with --revoker-peers', () => {
  let dir: string
  let backend: TestBackend

  before(async () => {
    await buildGoFixture('rpc-client')
    dir = mkdtempSync(join(tmpdir(), 'gw-peers-'))
    backend = await startBackend('api')
  })
  after(async () => {
    await backend?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('a new node refuses, from its first request, what its peers refuse', async () => {
    const [a, b] = await Promise.all([
      startRuntime(dir, backend, REVOKER, 1),
      startRuntime(dir, backend, REVOKER, 1),
    ])
    await add(a, 'on-a')
    await add(b, 'on-b')
    const peers = `127.0.0.1:${a.revokerPort},127.0.0.1:${b.revokerPort}`
    const green = await startRuntime(dir, backend, REVOKER, 2, { args: ['--revoker-peers', peers] })
    assert.match(green.output(), /revocations of 2 of 2 peer\(s\) taken before serving/)
    assert.deepEqual(new Set(await statuses(green, 'on-a')), new Set([401]))
    assert.deepEqual(new Set(await statuses(green, 'on-b')), new Set([401]))
    assert.deepEqual(new Set(await statuses(green, 'other')), new Set([200]))
  })

  test('with no peer answering it does not serve; it starts once one does, with its revocations', async () => {
    const silent = await silentPeer()
    const peerPort = silent.port
    const green = await startRuntime(dir, backend, REVOKER, 1, {
      args: ['--revoker-peers', `127.0.0.1:${peerPort}`],
      spawnOnly: true,
    })
    await waitingForPeers(green)
    assert.doesNotMatch(green.output(), /listening on/)
    await assert.rejects(statuses(green, 'early', 1), /ECONNREFUSED/)
    await silent.release()
    // The peer holds the revocation before it answers at all (a peer process could be read first).
    const filter = new SlidingBloomFilter(CONFIG)
    filter.add(utf8.encode('jti-before-green'))
    const peer = await startRevocationService({ ...CONFIG, port: peerPort }, filter, {
      host: '127.0.0.1',
      log: () => {},
    })
    after(() => peer.close())
    await listening(green, 1)
    assert.deepEqual(await statuses(green, 'before-green', 2), [401, 401])
  })

  test('a peer whose filter has another n is said and does not hold the start', async () => {
    const peer = await startRuntime(dir, backend, { ...REVOKER, n: 2000 }, 1)
    const green = await startRuntime(dir, backend, REVOKER, 1, {
      args: ['--revoker-peers', `127.0.0.1:${peer.revokerPort}`],
    })
    assert.match(green.output(), /cannot be taken, the filters differ \(different n values 2000 vs\. 1000\)/)
    assert.match(green.output(), /revocations of 0 of 1 peer\(s\) taken before serving/)
  })

  test('SIGTERM while waiting for peers ends the start with exit 0, nothing served', async () => {
    const silent = await silentPeer()
    after(() => silent.release())
    const green = await startRuntime(dir, backend, REVOKER, 1, {
      args: ['--revoker-peers', `127.0.0.1:${silent.port}`],
      spawnOnly: true,
    })
    await waitingForPeers(green)
    const exited = new Promise((resolve) => green.child.once('exit', (code) => resolve(code)))
    green.child.kill('SIGTERM')
    assert.equal(await exited, 0)
    assert.match(green.output(), /stopped before serving/)
  })

  test('peers without auth/revoker in the config, or not HOST:PORT, stop the start (exit 2)', async () => {
    const { parseRunArgs } = await import('../../../src/gateway/cli.ts')
    assert.deepEqual(
      (
        parseRunArgs(['-c', 'x.json'], { GATEWAY_REVOKER_PEERS: '10.0.1.5:9001, [fd00::7]:9001' }) as {
          revokerPeers?: unknown
        }
      ).revokerPeers,
      [
        { host: '10.0.1.5', port: 9001 },
        { host: 'fd00::7', port: 9001 },
      ],
    )
    assert.throws(
      () => parseRunArgs(['-c', 'x.json', '--revoker-peers', '10.0.1.5'], {}),
      /--revoker-peers: "10\.0\.1\.5" is not HOST:PORT/,
    )
    assert.throws(() => parsePeers('10.0.1.5:0'), /a port from 1 to 65535/)
    const { runGateway } = await import('../../../src/gateway/runtime.ts')
    const file = join(dir, 'plain.json')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(
      file,
      JSON.stringify({
        version: 3,
        endpoints: [{ endpoint: '/a', backend: [{ host: [backend.origin], url_pattern: '/' }] }],
      }),
    )
    await assert.rejects(
      runGateway({ configFile: file, port: 0, workers: 1, revokerPeers: [{ host: '127.0.0.1', port: 9 }] }),
      (error: Error & { exitCode?: number }) =>
        error.exitCode === 2 && /the config has no auth\/revoker/.test(error.message),
    )
  })
})

describe('following peers', () => {
  test('what a peer revokes later arrives; a silent peer is said once and left after forgetAfterMs', async () => {
    const peerFilter = new SlidingBloomFilter(CONFIG)
    const peer = await startRevocationService(CONFIG, peerFilter, { host: '127.0.0.1', log: () => {} })
    const ours = new SlidingBloomFilter(CONFIG)
    const store = revocationStore(ours, CONFIG.ttlS)
    const logs: string[] = []
    const log = { info: (m: string) => logs.push(`info ${m}`), error: (m: string) => logs.push(`error ${m}`) }
    let clock = 0
    const options = { timeoutMs: 2_000, intervalMs: 50, forgetAfterMs: 60_000, log }
    const peers = [{ host: '127.0.0.1', port: peer.port }]
    assert.deepEqual(await pullAtStart(store, peers, options), peers)
    const following = followPeers(store, peers, options, () => clock)
    try {
      const late = utf8.encode('jti-late')
      assert.equal(ours.check(late), false)
      peerFilter.add(late)
      await waitFor('the later revocation', () => ours.check(late))
      await peer.close()
      await waitFor('the failure', () => logs.some((l) => l.includes('could not read the revocations')))
      await new Promise((resolve) => setTimeout(resolve, 300))
      assert.equal(
        logs.filter((l) => l.includes('could not read the revocations')).length,
        1,
        logs.join('\n'),
      )
      clock = 60_001
      await waitFor('the peer to be left', () => logs.some((l) => l.includes('no longer pulling from it')))
      const said = logs.length
      await new Promise((resolve) => setTimeout(resolve, 300))
      assert.equal(logs.length, said, 'nothing is tried once every peer is left')
    } finally {
      following.stop()
    }
  })

  test('a peer whose filter turns out to have another shape is said once and left', async () => {
    const other = await startRevocationService(
      { ...CONFIG, n: 2000 },
      new SlidingBloomFilter({ ...CONFIG, n: 2000 }),
      {
        host: '127.0.0.1',
        log: () => {},
      },
    )
    const logs: string[] = []
    const log = { info: (m: string) => logs.push(m), error: (m: string) => logs.push(m) }
    const following = followPeers(
      revocationStore(new SlidingBloomFilter(CONFIG), CONFIG.ttlS),
      [{ host: '127.0.0.1', port: other.port }],
      {
        timeoutMs: 2_000,
        intervalMs: 50,
        forgetAfterMs: 60_000,
        log,
      },
    )
    try {
      await waitFor('the refusal', () => logs.some((l) => l.includes('the filters differ')))
      await new Promise((resolve) => setTimeout(resolve, 300))
      assert.deepEqual(logs, [
        `auth/revoker: the revocations of 127.0.0.1:${other.port} cannot be taken, the filters differ (different n values 2000 vs. 1000); send them here again`,
      ])
    } finally {
      following.stop()
      await other.close()
    }
  })

  test('the node a new one pulls from pulls back from it (FollowBack): what the new one takes reaches the old one', async () => {
    const timing = { timeoutMs: 2_000, intervalMs: 50, forgetAfterMs: 60_000 }
    const logs: string[] = []
    const log = { info: (m: string) => logs.push(m), error: (m: string) => logs.push(m) }
    /** A node as the runtime wires one: its revocation service, and pulling with its own port named. */
    const node = async () => {
      const filter = new SlidingBloomFilter(CONFIG)
      const peering = createPeering(revocationStore(filter, CONFIG.ttlS), log, timing)
      const service = await startRevocationService(CONFIG, filter, {
        host: '127.0.0.1',
        log: () => {},
        followBack: peering.followBack,
      })
      peering.ownPort = service.port
      return { filter, peering, service }
    }
    const blue = await node()
    const green = await node()
    try {
      await green.peering.start([{ host: '127.0.0.1', port: blue.service.port }])
      await waitFor('blue to follow green back', () =>
        logs.includes(
          `auth/revoker: 127.0.0.1:${green.service.port} pulls from this node; pulling from it too`,
        ),
      )
      const onGreen = utf8.encode('jti-revoked-on-green')
      green.filter.add(onGreen)
      await waitFor('the revocation made on green to reach blue', () => blue.filter.check(onGreen))
      const onBlue = utf8.encode('jti-revoked-on-blue')
      blue.filter.add(onBlue)
      await waitFor('the revocation made on blue to reach green', () => green.filter.check(onBlue))
    } finally {
      for (const n of [blue, green]) {
        n.peering.stop()
        await n.service.close()
      }
    }
  })

  test('FollowBack names a port on the caller’s own address; gwdeploy’s reads (port 0) ask nothing', async () => {
    const asked: unknown[] = []
    const filter = new SlidingBloomFilter(CONFIG)
    const service = await startRevocationService(CONFIG, filter, {
      host: '127.0.0.1',
      log: () => {},
      followBack: (peer) => asked.push(peer),
    })
    try {
      const { readRevocations, readRevocationsSince } = await import(
        '../../../src/gateway/revoker/revocation-client.ts'
      )
      await readRevocations({ host: '127.0.0.1', port: service.port }, 2_000)
      assert.deepEqual(asked, [])
      await readRevocationsSince({ host: '127.0.0.1', port: service.port }, 2_000, { followBack: 4242 })
      assert.deepEqual(asked, [{ host: '127.0.0.1', port: 4242 }])
    } finally {
      await service.close()
    }
  })

  test('a Snapshot is written once per change of the filter, and not sent to a peer that holds its version', async () => {
    const filter = new SlidingBloomFilter(CONFIG)
    const store = revocationStore(filter, CONFIG.ttlS)
    const first = await store.snapshot()
    assert.ok(first.bytes)
    assert.equal((await store.snapshot()).bytes, first.bytes)
    assert.deepEqual(await store.snapshot(first.version), { version: first.version })
    filter.add(utf8.encode('jti-new'))
    const second = await store.snapshot(first.version)
    assert.ok(second.bytes)
    assert.notEqual(second.bytes, first.bytes)
    assert.notEqual(second.version, first.version)
    // A union that sets no new bit (the node's own filter read back) changes nothing.
    const { readSlidingFilter } = await import('../../../src/gateway/revoker/sliding-filter-wire.ts')
    await store.union(await readSlidingFilter({ marshaled: second.bytes }, 1e9))
    assert.deepEqual(await store.snapshot(second.version), { version: second.version })
    filter.rotate()
    assert.ok((await store.snapshot(second.version)).bytes)
    // Another process's filter (a restarted node) never has the same version.
    const other = await revocationStore(new SlidingBloomFilter(CONFIG), CONFIG.ttlS).snapshot()
    assert.notEqual(other.version, first.version)
  })

  test('a peer that answers again is said and followed again', async () => {
    const peerFilter = new SlidingBloomFilter(CONFIG)
    let peer = await startRevocationService(CONFIG, peerFilter, { host: '127.0.0.1', log: () => {} })
    const port = peer.port
    const ours = new SlidingBloomFilter(CONFIG)
    const logs: string[] = []
    const log = { info: (m: string) => logs.push(m), error: (m: string) => logs.push(m) }
    const following = followPeers(revocationStore(ours, CONFIG.ttlS), [{ host: '127.0.0.1', port }], {
      timeoutMs: 2_000,
      intervalMs: 50,
      forgetAfterMs: 60_000,
      log,
    })
    try {
      await peer.close()
      await waitFor('the failure', () => logs.some((l) => l.includes('could not read')))
      const back = utf8.encode('jti-back')
      peerFilter.add(back)
      peer = await startRevocationService({ ...CONFIG, port }, peerFilter, {
        host: '127.0.0.1',
        log: () => {},
      })
      await waitFor('the revocation after the return', () => ours.check(back))
      assert.ok(logs.includes(`auth/revoker: 127.0.0.1:${port} answers again`), logs.join('\n'))
    } finally {
      following.stop()
      await peer.close()
    }
  })
})
