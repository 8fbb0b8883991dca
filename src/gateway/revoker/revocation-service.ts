/**
 * The process that owns a node's revocations (the only process, or a cluster primary): serves
 * KrakenD's BloomfilterRPC over Go net/rpc, slides the filter every TTL, and — in a primary —
 * answers an Add or Union only once every serving worker has applied it, so a revoked token is
 * refused by every worker as soon as the revoke tool hears back.
 */
import type { Server, Socket } from 'node:net'
import type { RevokerConfig } from '../components/revoker.ts'
import { MAX_TIMER_MS } from '../config/duration.ts'
import { listenAt } from '../listen-literal.ts'
import {
  type BitChangeList,
  BitChanges,
  type RemoteSlidingFilter,
  type SlidingBloomFilter,
  type SlidingSnapshot,
} from './bloom-filter.ts'
import { bloomfilterRpcMethods, type RevocationStore, rpcMessageLimit } from './bloomfilter-rpc.ts'
import { createGoRpcServer, GoRpcError } from './go-rpc.ts'
import type { PeerAddress } from './peer-addresses.ts'
import { writeSlidingFilter } from './sliding-filter-wire.ts'

/** The workers following the owner's filter (see revoker/cluster.ts). */
export interface Followers {
  add(elems: Uint8Array[]): Promise<void>
  rotate(): void
  /** The bytes a union changed. */
  apply(changes: BitChangeList): Promise<void>
  /**
   * The whole filter, when a union changed more bytes than a list holds or the filters slid while
   * it merged: the arrays as they are (not copies), which the workers OR in a slice at a time.
   */
  restore(snapshot: SlidingSnapshot): Promise<void>
}

/** Part of a filter's version: another process's (a restarted node's) never matches it. */
const processTag = `${process.pid.toString(36)}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`
let stores = 0

export interface RevocationService {
  readonly port: number
  close(): Promise<void>
}

export function revocationStore(
  filter: SlidingBloomFilter,
  ttlS: number,
  followers?: Followers,
  followBack?: (peer: PeerAddress) => void,
): RevocationStore {
  // Peers read it every 15 s each: it is written again only once a bit may have changed, and a
  // peer that names the version it holds is told it is unchanged instead.
  let written: { generation: number; bytes: Promise<Uint8Array> } | undefined
  const tag = `${processTag}-${++stores}`
  const version = () => `${tag}.${filter.generation}`
  const follow = async (changes: BitChanges) => {
    if (changes.count === 0 || !followers) return
    await (changes.overflowed ? followers.restore(filter.snapshot()) : followers.apply(changes.list))
  }
  const merge = async (remote: RemoteSlidingFilter) => {
    const changes = new BitChanges()
    try {
      await filter.union(remote, changes)
    } catch (error) {
      // A partial union (Go's order) is still the filter's state: workers follow it too.
      await follow(changes)
      throw new GoRpcError((error as Error).message)
    }
    await follow(changes)
  }
  return {
    ...(followBack ? { followBack } : {}),
    config: filter.config,
    snapshot: (known) => {
      const current = version()
      if (known === current) return Promise.resolve({ version: current })
      if (written?.generation !== filter.generation) {
        const bytes = writeSlidingFilter({ config: filter.config, ttlS, ...filter.filters })
        written = { generation: filter.generation, bytes }
        bytes.catch(() => {
          if (written?.bytes === bytes) written = undefined
        })
      }
      return written.bytes.then((bytes) => ({ version: current, bytes }))
    },
    add: async (elems) => {
      for (const elem of elems) filter.add(elem)
      await followers?.add(elems)
    },
    check: (elems) => elems.map((elem) => filter.check(elem)),
    merge,
    union: async (remote) => {
      await merge(remote)
      return filter.capacity()
    },
  }
}

/** Calls `tick` every `ms`, for periods longer than a Node timer can wait too. */
export function every(ms: number, tick: () => void): () => void {
  let due = Date.now() + ms
  let timer: NodeJS.Timeout
  const arm = () => {
    timer = setTimeout(
      () => {
        if (Date.now() < due) return arm()
        due += ms
        tick()
        arm()
      },
      Math.min(MAX_TIMER_MS, Math.max(0, due - Date.now())),
    )
    timer.unref()
  }
  arm()
  return () => clearTimeout(timer)
}

/** Listens for revocations on host:port (port from the config, 0 = any) and starts sliding. */
export async function startRevocationService(
  cfg: RevokerConfig,
  filter: SlidingBloomFilter,
  options: {
    host: string
    log: (message: string) => void
    followers?: Followers
    /** A node pulling from this one asked to be pulled from too. */
    followBack?: (peer: PeerAddress) => void
  },
): Promise<RevocationService> {
  const server: Server = createGoRpcServer(
    bloomfilterRpcMethods(revocationStore(filter, cfg.ttlS, options.followers, options.followBack)),
    {
      onError: (error) => options.log(`[SERVICE: Bloomfilter] ${error.message}`),
      maxMessageBytes: rpcMessageLimit(filter.config),
    },
  )
  const open = new Set<Socket>()
  server.on('connection', (socket) => {
    open.add(socket)
    socket.once('close', () => open.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    listenAt(server, { port: cfg.port, host: options.host }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const stopSliding = every(cfg.ttlS * 1000, () => {
    filter.rotate()
    options.followers?.rotate()
  })
  const address = server.address()
  return {
    port: typeof address === 'object' && address ? address.port : cfg.port,
    close: () =>
      new Promise((resolve) => {
        stopSliding()
        server.close(() => resolve())
        // Revoke tools keep their connection open; it must not hold the node up.
        for (const socket of open) socket.destroy()
      }),
  }
}
