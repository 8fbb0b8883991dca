// auth/revoker's side of a node's start: the peers --revoker-peers names, and the RPC server of the
// process that owns the filter (the single process, or a cluster's primary).
import { configError } from '../core/errors.ts'
import type { RevokerConfig } from './components/revoker.ts'
import type { GatewayConfig } from './config/types.ts'
import { revokerLibrary } from './libraries.ts'
import { listenError } from './listen-errors.ts'
import type { Logger } from './logging.ts'
import type { SlidingBloomFilter } from './revoker/bloom-filter.ts'
import type { PeerAddress } from './revoker/peer-addresses.ts'
import type { Followers, RevocationService } from './revoker/revocation-service.ts'
import type { RunOptions } from './runtime.ts'

export interface Peers {
  addresses: PeerAddress[]
  signal: AbortSignal | undefined
}

export function peersOf(config: GatewayConfig, options: RunOptions): Peers | undefined {
  const addresses = options.revokerPeers ?? []
  if (addresses.length === 0) return undefined
  if (!config.components?.revoker)
    throw configError(
      '--revoker-peers names nodes to pull revocations from, but the config has no auth/revoker',
      {
        hint: 'remove --revoker-peers (GATEWAY_REVOKER_PEERS), or add auth/revoker to the config',
      },
    )
  return { addresses, signal: options.signal }
}

/**
 * auth/revoker in the process that owns the filter: the RPC server (and sliding), and pulling from
 * peers — those --revoker-peers names, before anything is served, and those that ask to be
 * followed back.
 */
export async function serveRevocations(
  config: GatewayConfig,
  filter: SlidingBloomFilter,
  logger: Logger,
  peers: Peers | undefined,
  followers?: Followers,
): Promise<{ service: RevocationService; stopPulling: () => void }> {
  const revoker = config.components?.revoker as RevokerConfig
  const host = config.runtime.revokerListenIp ?? config.listenIp
  const { startRevocationService, createPeering, revocationStore } = revokerLibrary()
  const peering = createPeering(revocationStore(filter, revoker.ttlS, followers), {
    info: (m) => logger.info(m),
    error: (m) => logger.error(m),
  })
  const service = await startRevocationService(revoker, filter, {
    host,
    log: (message) => logger.error(message),
    followBack: peering.followBack,
    ...(followers ? { followers } : {}),
  }).catch((error: NodeJS.ErrnoException) => {
    throw listenError(error, { host, port: revoker.port, flag: '--revoker-port', ipKey: 'revoker_listen_ip' })
  })
  logger.info(`auth/revoker: revocations (Go net/rpc) on ${host}:${service.port}`)
  peering.ownPort = service.port
  try {
    if (peers) await peering.start(peers.addresses, peers.signal)
  } catch (error) {
    peering.stop()
    await service.close()
    throw error
  }
  return { service, stopPulling: () => peering.stop() }
}
