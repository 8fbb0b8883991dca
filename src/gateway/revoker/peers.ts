/**
 * Revocations pulled from peers (`--revoker-peers`): where gwdeploy cannot reach the nodes (aws), a
 * new node reads the filters of the nodes that served when it was launched and ORs them into its
 * own before it listens, then keeps pulling while they answer, so what they refuse it refuses too.
 * Union only adds, so pulling again is harmless.
 */
import { type RevocationStore, unionBytesLimit } from './bloomfilter-rpc.ts'
import { GoRpcError } from './go-rpc.ts'
import { peerLabel as label, type PeerAddress } from './peer-addresses.ts'
import { readRevocations } from './revocation-client.ts'
import { readSlidingFilter } from './sliding-filter-wire.ts'

export interface PeerOptions {
  /** Each read (connect + Snapshot). */
  timeoutMs: number
  /** Between two pulls while following, and between two tries at start. */
  intervalMs: number
  /** A peer that has not answered for this long is left (its instance is gone). */
  forgetAfterMs: number
  log: { info(message: string): void; error(message: string): void }
  signal?: AbortSignal
}

export const PEER_DEFAULTS = { timeoutMs: 10_000, intervalMs: 15_000, forgetAfterMs: 10 * 60_000 }
/** Between two tries at start, while no peer has answered yet. */
const START_RETRY_MS = 2_000

type Pulled = 'merged' | 'refused' | 'unreachable'

async function pullOne(store: RevocationStore, peer: PeerAddress, timeoutMs: number) {
  const bytes = await readRevocations(peer, timeoutMs)
  return store.union(readSlidingFilter({ marshaled: bytes }, unionBytesLimit(store.config)))
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
        await pullOne(store, peer, options.timeoutMs)
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

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done)
  })

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
    await sleep(START_RETRY_MS, options.signal)
    if (options.signal?.aborted) throw new Error('stopped before any peer answered')
  }
}

/**
 * Pulls from every peer each interval; a peer silent for `forgetAfterMs`, or whose filter turns out
 * to have another shape (its address now runs another config), is left. Returns the stop.
 */
export function followPeers(
  store: RevocationStore,
  peers: PeerAddress[],
  options: PeerOptions,
  now: () => number = Date.now,
): () => void {
  const lastAnswer = new Map(peers.map((peer) => [label(peer), now()]))
  let following = [...peers]
  const failing = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const tick = async () => {
    const results = await pullAll(store, following, options, failing)
    for (const [at, result] of results) {
      if (result === 'unreachable') {
        failing.add(at)
        continue
      }
      if (failing.delete(at)) options.log.info(`auth/revoker: ${at} answers again`)
      lastAnswer.set(at, now())
    }
    following = following.filter((peer) => {
      const at = label(peer)
      if (results.get(at) === 'refused') return false
      if (now() - (lastAnswer.get(at) ?? 0) < options.forgetAfterMs) return true
      options.log.info(
        `auth/revoker: ${at} has not answered for ${Math.round(options.forgetAfterMs / 1000)}s; no longer pulling from it`,
      )
      return false
    })
    if (!stopped && following.length > 0) arm()
  }
  const arm = () => {
    timer = setTimeout(() => void tick(), options.intervalMs)
    timer.unref()
  }
  if (following.length > 0) arm()
  return () => {
    stopped = true
    clearTimeout(timer)
  }
}
