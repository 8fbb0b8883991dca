/**
 * Revocations pulled from peers (`--revoker-peers`): where gwdeploy cannot reach the nodes (aws), a
 * new node reads the filters of the nodes that served when it was launched and ORs them into its
 * own before it listens, then keeps pulling while they answer, so what they refuse it refuses too.
 * Each read names this node's own revoker port (Snapshot's FollowBack), so the peers pull from it in
 * turn: what the new colour takes reaches the old one, for a rollback. Union only adds, so pulling
 * again is harmless.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { type RevocationStore, unionBytesLimit } from './bloomfilter-rpc.ts'
import { GoRpcError } from './go-rpc.ts'
import { peerLabel as label, type PeerAddress } from './peer-addresses.ts'
import { readRevocationsSince } from './revocation-client.ts'
import { readSlidingFilter } from './sliding-filter-wire.ts'

export interface PeerOptions {
  /** Each read (connect + Snapshot). */
  timeoutMs: number
  /** Between two pulls while following. */
  intervalMs: number
  /** A peer that has not answered for this long is left (its instance is gone). */
  forgetAfterMs: number
  log: { info(message: string): void; error(message: string): void }
  signal?: AbortSignal
  /** This node's revoker port, sent so the peers pull from it too (0: not asked). */
  ownPort?: number
  /** The version of each peer's filter merged last (by peer label): an unchanged one is not sent again. */
  versions?: Map<string, string>
}

export const PEER_DEFAULTS = { timeoutMs: 10_000, intervalMs: 15_000, forgetAfterMs: 10 * 60_000 }
/** Between two tries at start, while no peer has answered yet. */
const START_RETRY_MS = 2_000

type Pulled = 'merged' | 'refused' | 'unreachable'

/** At most this many peers are followed: a port anyone can reach cannot grow the list without end. */
const MAX_FOLLOWED = 256

async function pullOne(store: RevocationStore, peer: PeerAddress, options: PeerOptions): Promise<void> {
  const at = label(peer)
  const known = options.versions?.get(at)
  const { bytes, version } = await readRevocationsSince(peer, options.timeoutMs, {
    followBack: options.ownPort ?? 0,
    ...(known ? { known } : {}),
  })
  if (bytes) await store.merge(await readSlidingFilter({ marshaled: bytes }, unionBytesLimit(store.config)))
  if (version) options.versions?.set(at, version)
  else options.versions?.delete(at)
}

/** One pull from every peer at once; what each came to, logged as the node's operator needs it. */
async function pullAll(
  store: RevocationStore,
  peers: PeerAddress[],
  options: PeerOptions,
  quiet: ReadonlySet<string>,
): Promise<Map<string, Pulled>> {
  const results = new Map<string, Pulled>()
  await Promise.all(
    peers.map(async (peer) => {
      const at = label(peer)
      try {
        await pullOne(store, peer, options)
        results.set(at, 'merged')
      } catch (error) {
        if (error instanceof GoRpcError) {
          // Another n, p or hash_name: the bits cannot be carried, and reading again will not change that.
          results.set(at, 'refused')
          if (!quiet.has(at))
            options.log.error(
              `auth/revoker: the revocations of ${at} cannot be taken, the filters differ (${error.message}); send them here again`,
            )
        } else {
          results.set(at, 'unreachable')
          if (!quiet.has(at))
            options.log.error(
              `auth/revoker: could not read the revocations of ${at}: ${(error as Error).message}`,
            )
        }
      }
    }),
  )
  return results
}

/**
 * Resolves once a peer has answered: its filter merged, or refused for another shape (the peers
 * serve another n, p or hash_name, and waiting for the others would not change that). Until then no
 * request may be served (it would pass a token the peers refuse), so it tries again, however long
 * that takes; the node is not healthy meanwhile and the release's gate fails on it. Resolves with the
 * peers worth following: all but those whose filter has another shape.
 */
export async function pullAtStart(
  store: RevocationStore,
  peers: PeerAddress[],
  options: PeerOptions,
): Promise<PeerAddress[]> {
  if (peers.length === 0) return []
  const said = new Set<string>()
  for (let attempt = 1; ; attempt++) {
    const results = await pullAll(store, peers, options, said)
    const merged = [...results.values()].filter((r) => r === 'merged').length
    if ([...results.values()].some((r) => r !== 'unreachable')) {
      options.log.info(
        `auth/revoker: revocations of ${merged} of ${peers.length} peer(s) taken before serving (${[...results.keys()].join(', ')})`,
      )
      return peers.filter((peer) => results.get(label(peer)) !== 'refused')
    }
    for (const [at, result] of results) if (result !== 'merged') said.add(at)
    if (attempt === 1)
      options.log.error(
        `auth/revoker: no peer's revocations could be read; not serving until one answers (trying every ${START_RETRY_MS / 1000}s)`,
      )
    // An abort ends the wait early (and rejects): the check below says why.
    await delay(START_RETRY_MS, undefined, options.signal ? { signal: options.signal } : {}).catch(() => {})
    if (options.signal?.aborted) throw new Error('stopped before any peer answered')
  }
}

export interface PeerFollowing {
  /** Follows `peer` too (a node that asked to be followed back); known ones only count as an answer. */
  add(peer: PeerAddress): void
  stop(): void
}

/**
 * Pulls from every peer each interval; a peer silent for `forgetAfterMs`, or whose filter turns out
 * to have another shape (its address now runs another config), is left. Peers can be added later.
 */
export function followPeers(
  store: RevocationStore,
  peers: PeerAddress[],
  options: PeerOptions,
  now: () => number = Date.now,
): PeerFollowing {
  const lastAnswer = new Map<string, number>()
  const following = new Map<string, PeerAddress>()
  const failing = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let ticking = false
  let stopped = false
  let toldFull = false
  const tick = async () => {
    ticking = true
    const results = await pullAll(store, [...following.values()], options, failing)
    ticking = false
    for (const [at, result] of results) {
      if (result === 'unreachable') {
        failing.add(at)
        continue
      }
      if (failing.delete(at)) options.log.info(`auth/revoker: ${at} answers again`)
      lastAnswer.set(at, now())
    }
    for (const at of [...following.keys()]) {
      if (results.get(at) === 'refused') following.delete(at)
      else if (now() - (lastAnswer.get(at) ?? 0) >= options.forgetAfterMs) {
        following.delete(at)
        options.versions?.delete(at)
        failing.delete(at)
        options.log.info(
          `auth/revoker: ${at} has not answered for ${Math.round(options.forgetAfterMs / 1000)}s; no longer pulling from it`,
        )
      }
    }
    arm()
  }
  const arm = () => {
    if (stopped || ticking || timer || following.size === 0) return
    timer = setTimeout(() => {
      timer = undefined
      void tick()
    }, options.intervalMs)
    timer.unref()
  }
  const add = (peer: PeerAddress) => {
    const at = label(peer)
    lastAnswer.set(at, now())
    if (following.has(at)) return
    if (following.size >= MAX_FOLLOWED) {
      if (!toldFull)
        options.log.error(`auth/revoker: already pulling from ${MAX_FOLLOWED} peers; ${at} is not followed`)
      toldFull = true
      return
    }
    following.set(at, peer)
    if (!peers.includes(peer))
      options.log.info(`auth/revoker: ${at} pulls from this node; pulling from it too`)
    arm()
  }
  for (const peer of peers) add(peer)
  return {
    add,
    stop: () => {
      stopped = true
      clearTimeout(timer)
    },
  }
}

export interface RevokerPeering {
  /** Where a node that asks to be followed back goes (the revocation service's Snapshot). */
  followBack(peer: PeerAddress): void
  /** `--revoker-peers`: their revocations before serving (pullAtStart), then following them. */
  start(peers: PeerAddress[], signal?: AbortSignal): Promise<void>
  stop(): void
}

/**
 * The pulling side of the node that owns the filter. `ownPort` is sent with every read once known
 * (the revocation service's port), so peers pull from this node too.
 */
export function createPeering(
  store: RevocationStore,
  log: PeerOptions['log'],
  timing: typeof PEER_DEFAULTS = PEER_DEFAULTS,
): RevokerPeering & { ownPort: number } {
  const options: PeerOptions & { ownPort: number } = { ...timing, log, ownPort: 0, versions: new Map() }
  let following: PeerFollowing | undefined
  let stopped = false
  const follow = (peer: PeerAddress) => {
    if (stopped) return
    following ??= followPeers(store, [], options)
    following.add(peer)
  }
  return {
    get ownPort() {
      return options.ownPort
    },
    set ownPort(port: number) {
      options.ownPort = port
    },
    followBack: follow,
    async start(peers, signal) {
      for (const peer of await pullAtStart(store, peers, { ...options, ...(signal ? { signal } : {}) }))
        follow(peer)
    },
    stop() {
      stopped = true
      following?.stop()
    },
  }
}
