import cluster, { type Worker } from 'node:cluster'
import { configError, formatProblem, isGwError } from '../core/errors.ts'
import { refuseProxiedLambda } from './backend-lambda/start-checks.ts'
import { refuseUnrunnablePubsub } from './backend-pubsub/start-checks.ts'
import type { RevokerConfig } from './components/revoker.ts'
import { MAX_TIMER_MS } from './config/duration.ts'
import { loadEnvDir } from './config/env-dir.ts'
import { loadGatewayConfig } from './config/load.ts'
import { refuseWorkersBeside, workerCount } from './config/single-process.ts'
import type { GatewayConfig, LogLevel } from './config/types.ts'
import { metricsLibrary, revokerLibrary } from './libraries.ts'
import { createLogger, type Logger } from './logging.ts'
import { GatewayMetrics } from './metrics.ts'
import { listenMetrics } from './metrics-server.ts'
import { watchOpenFiles } from './open-files.ts'
import { refuseUnspokenProxies } from './proxy-environment.ts'
import type { SlidingBloomFilter } from './revoker/bloom-filter.ts'
import type { PeerAddress } from './revoker/peer-addresses.ts'
import type { Followers, RevocationService } from './revoker/revocation-service.ts'
import { GATEWAY_VERSION } from './version.ts'

/** Command-line / environment overrides; each wins over the config file. */
export interface RunOverrides {
  port?: number
  listenIp?: string
  metricsPort?: number
  /** auth/revoker's Go net/rpc port (0 = any free port); only with a revoker in the config. */
  revokerPort?: number
  /** Nodes whose revocations are pulled before serving and followed after (auth/revoker only). */
  revokerPeers?: PeerAddress[]
  workers?: number
  drainGraceMs?: number
  drainTimeoutMs?: number
  logLevel?: LogLevel
}

export interface RunOptions extends RunOverrides {
  configFile: string
  /** Aborts a start still waiting for its revoker peers (nothing is served yet). */
  signal?: AbortSignal
}

export interface RunningGateway {
  /** Port the gateway listens on (the primary reports the configured one). */
  readonly port: number
  readonly metricsPort: number | undefined
  /** The port auth/revoker listens on, when the config has one. */
  readonly revokerPort: number | undefined
  /** Graceful stop (what SIGTERM does). Idempotent. */
  stop(): void
  /** Resolves with the exit code once stopped. */
  readonly done: Promise<number>
}

/**
 * What the operator can do about a listen failure (`flag` moves the port, `ipKey` names the
 * address setting); anything else is not theirs to fix.
 */
function listenHint(code: string | undefined, flag: string, ipKey: string): string | undefined {
  if (code === 'EADDRINUSE') return `choose another port with ${flag} or stop what uses it`
  if (code === 'EACCES') return 'ports below 1024 need privileges: choose a port from 1024 up'
  if (code === 'EADDRNOTAVAIL') return `${ipKey} must be an address of this machine (or 0.0.0.0)`
  return undefined
}

const WORKER_ENV = 'GWDEPLOY_GATEWAY_WORKER'
const STARTED_ENV = 'GWDEPLOY_GATEWAY_STARTED'
const DRAIN_MESSAGE = 'gwdeploy:gateway:drain'
/** How long after it listens a single-process node loads prom-client (see runSingle). */
const METRICS_LOAD_DELAY_MS = 100

export function applyOverrides(config: GatewayConfig, o: RunOverrides): GatewayConfig {
  const revoker = config.components?.revoker
  return {
    ...config,
    ...(revoker && o.revokerPort !== undefined
      ? { components: { ...config.components, revoker: { ...revoker, port: o.revokerPort } } }
      : {}),
    port: o.port ?? config.port,
    listenIp: o.listenIp ?? config.listenIp,
    runtime: {
      ...config.runtime,
      workers: o.workers ?? config.runtime.workers,
      drainGraceMs: o.drainGraceMs ?? config.runtime.drainGraceMs,
      drainTimeoutMs: o.drainTimeoutMs ?? config.runtime.drainTimeoutMs,
      metricsPort: o.metricsPort ?? config.runtime.metricsPort,
    },
    logging: { ...config.logging, level: o.logLevel ?? config.logging.level },
  }
}

/**
 * Loads, validates and serves a config: one process when workers is 1, else a node:cluster
 * primary with N workers sharing the port (the primary serves aggregated metrics and turns
 * SIGTERM into a drain of every worker). Throws configError (exit 2) before listening.
 */
export async function runGateway(options: RunOptions): Promise<RunningGateway> {
  // KrakenD reads its environment at startup: FC_* (flexible configuration) and KRAKEND_* overrides.
  loadEnvDir(process.env)
  const { config: fileConfig, warnings } = loadGatewayConfig(options.configFile, { environ: process.env })
  refuseUnspokenProxies(fileConfig, process.env)
  const config = applyOverrides(fileConfig, options)
  const workers = workerCount(config)
  refuseUnrunnablePubsub(config, process.env, options.configFile)
  refuseProxiedLambda(config, process.env, options.configFile)
  refuseWorkersBeside(config, workers, options.configFile)
  const isWorker = cluster.isWorker && process.env[WORKER_ENV] === '1'
  const peers = isWorker ? undefined : peersOf(config, options)
  if (!isWorker && cluster.isPrimary && workers > 1)
    return runPrimary(config, workers, warnings.map(formatProblem), peers)
  if (!isWorker) return runSingle(config, false, warnings.map(formatProblem), peers)
  // A worker that cannot start (its port taken, say) ends: its IPC channel to the primary would keep
  // it alive, serving nothing, where the caller only sets the exit code (`gwdeploy gateway run`).
  return runSingle(config, true, [], undefined).catch((error: unknown) => {
    process.exitCode = isGwError(error) ? error.exitCode : 1
    // The worker's own disconnect: process.disconnect() would end it at once with code 0.
    cluster.worker?.disconnect()
    throw error
  })
}

interface Peers {
  addresses: PeerAddress[]
  signal: AbortSignal | undefined
}

function peersOf(config: GatewayConfig, options: RunOptions): Peers | undefined {
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

function listenError(
  error: NodeJS.ErrnoException,
  at: { host: string; port: number; flag: string; ipKey: string },
): Error {
  const hint = listenHint(error.code, at.flag, at.ipKey)
  if (!hint) return error
  return configError(`cannot listen on ${at.host}:${at.port}: ${error.message}`, { hint })
}

/**
 * auth/revoker in the process that owns the filter: the RPC server (and sliding), and pulling from
 * peers — those --revoker-peers names, before anything is served, and those that ask to be
 * followed back.
 */
async function serveRevocations(
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

async function runSingle(
  config: GatewayConfig,
  isWorker: boolean,
  warnings: string[],
  peers: Peers | undefined,
): Promise<RunningGateway> {
  // Only the process that serves loads the request path (backend client, HTTP/2, components): a
  // cluster primary never does, so it starts and forks its workers sooner and stays small.
  const [{ createGateway }, { listen }] = await Promise.all([import('./app.ts'), import('./server.ts')])
  const metricsOn = config.runtime.metricsPort > 0
  const startedAt = process.env[STARTED_ENV] ? new Date(process.env[STARTED_ENV] as string) : new Date()
  const metrics = metricsOn ? new GatewayMetrics(config.name, GATEWAY_VERSION) : undefined
  if (isWorker && metrics) {
    // Answer the primary's aggregation requests with this worker's registry (from the start: the
    // primary may ask as soon as the worker listens).
    const { AggregatorRegistry } = metricsLibrary()
    new AggregatorRegistry()
    AggregatorRegistry.setRegistries([metrics.registry])
  }
  const gateway = createGateway(config, { metrics: metrics ?? false, startedAt })
  for (const warning of warnings) gateway.logger.warning(warning)
  // Revocations are in place before the first request: copied from the primary, or served here.
  const revocations = gateway.revocations
  if (revocations && isWorker) await revokerLibrary().followPrimary(revocations)
  const owned =
    revocations && !isWorker ? await serveRevocations(config, revocations, gateway.logger, peers) : undefined
  const revocationService = owned?.service
  const stopPulling = owned?.stopPulling
  const server = await listen(gateway, { port: config.port, host: config.listenIp }).catch(
    async (error: NodeJS.ErrnoException) => {
      stopPulling?.()
      await revocationService?.close()
      throw listenError(error, {
        host: config.listenIp,
        port: config.port,
        flag: '--port',
        ipKey: 'listen_ip',
      })
    },
  )
  const metricsServer =
    metrics && !isWorker
      ? await listenMetrics(
          () => metrics.registry.metrics(),
          () => metrics.registry.contentType,
          config.runtime.metricsPort,
          config.runtime.metricsListenIp ?? config.listenIp,
        )
      : undefined
  // prom-client loads once the node serves (about 10 ms of start-up), before traffic usually comes;
  // requests served meanwhile are counted then, and a scrape before that loads it at once.
  if (metrics && !isWorker) setTimeout(() => metrics.load(), METRICS_LOAD_DELAY_MS).unref()
  gateway.logger.info(
    `gateway "${config.name}" listening on ${config.listenIp}:${server.port} (http/1.1 + h2c, ${config.endpoints.length} endpoints${metricsServer ? `, metrics on :${metricsServer.port}` : ''})`,
  )
  let resolveDone: (code: number) => void = () => {}
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve
  })
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    const { drainGraceMs, drainTimeoutMs } = config.runtime
    gateway.logger.info(`stopping: health draining for ${drainGraceMs}ms, then finishing in-flight requests`)
    stopPulling?.()
    void server.shutdown({ graceMs: drainGraceMs, timeoutMs: drainTimeoutMs }).then(async (inTime) => {
      await metricsServer?.close()
      await revocationService?.close()
      gateway.logger.info(inTime ? 'stopped cleanly' : 'stopped after the drain timeout')
      gateway.logger.flush()
      resolveDone(0)
    })
  }
  if (isWorker) {
    // A worker's IPC channel to the primary keeps its event loop alive: once drained it exits
    // itself (under `gwdeploy gateway run` nothing else would end it, and the primary would wait
    // for its hard timeout).
    void done.then((code) => setImmediate(() => process.exit(code)))
    process.on('message', (message: { type?: string } | undefined) => {
      if (message?.type === DRAIN_MESSAGE) stop()
    })
    process.on('disconnect', stop)
  }
  return {
    port: server.port,
    metricsPort: metricsServer?.port,
    revokerPort: revocationService?.port,
    stop,
    done,
  }
}

async function runPrimary(
  config: GatewayConfig,
  count: number,
  warnings: string[],
  peers: Peers | undefined,
): Promise<RunningGateway> {
  const logger = createLogger({
    level: config.logging.level,
    format: config.logging.format,
    prefix: config.logging.prefix,
    accessLog: false,
  })
  for (const warning of warnings) logger.warning(warning)
  // The primary accepts every connection before handing it to a worker: it can run out first.
  const stopWatching = watchOpenFiles((message) => logger.error(`primary: ${message}`))
  const metricsOn = config.runtime.metricsPort > 0
  const aggregator = metricsOn ? new (metricsLibrary().AggregatorRegistry)() : undefined
  const started = new Date().toISOString()
  const env = { [WORKER_ENV]: '1', [STARTED_ENV]: started }
  const workers = new Set<Worker>()
  let stopping = false
  /** Every worker listened once: a worker ending before that fails the start instead (`listening`). */
  let serving = false
  let restarts: number[] = []
  let resolveDone: (code: number) => void = () => {}
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve
  })

  let followers: (Followers & { attach(worker: Worker): void }) | undefined
  // The structured clone carries the revoker's bit arrays as they are (JSON would need base64:
  // at n 10,000,000 that was over a second of the primary's time per worker).
  cluster.setupPrimary({ serialization: 'advanced' })
  const fork = () => {
    const worker = cluster.fork(env)
    followers?.attach(worker)
    workers.add(worker)
    // A message to a worker that has just died fails (EPIPE: node:cluster's own disconnect notice
    // too), emitted on the Worker: unheard, it would crash the primary; its 'exit' says what happened.
    worker.on('error', (error) => logger.debug(`worker ${worker.process.pid}: ${error.message}`))
    worker.on('exit', (code, signal) => {
      workers.delete(worker)
      if (stopping) {
        if (workers.size === 0) resolveDone(0)
        return
      }
      if (!serving) return
      logger.error(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`)
      const now = Date.now()
      restarts = restarts.filter((t) => now - t < 60_000)
      restarts.push(now)
      if (restarts.length > 10) {
        logger.critical('workers keep dying (more than 10 restarts a minute); giving up')
        stopping = true
        for (const w of workers) w.kill('SIGKILL')
        resolveDone(1)
        return
      }
      setTimeout(() => {
        if (!stopping) fork()
      }, 200)
    })
    return worker
  }

  // Metrics listen before any worker does: once a node answers health, its metrics answer too.
  const metricsServer = aggregator
    ? await listenMetrics(
        () => aggregator.clusterMetrics(),
        aggregator.contentType,
        config.runtime.metricsPort,
        config.runtime.metricsListenIp ?? config.listenIp,
      )
    : undefined
  let revocationService: RevocationService | undefined
  let stopPulling: (() => void) | undefined
  const revoker = config.components?.revoker
  if (revoker) {
    const { SlidingBloomFilter, createFollowers } = revokerLibrary()
    const filter = new SlidingBloomFilter(revoker)
    followers = createFollowers(filter)
    // Before any worker forks: each copies the filter with the peers' revocations in it.
    const owned = await serveRevocations(config, filter, logger, peers, followers).catch(async (error) => {
      await metricsServer?.close()
      throw error
    })
    revocationService = owned.service
    stopPulling = owned.stopPulling
  }
  const listening = Array.from({ length: count }, () => {
    const worker = fork()
    return new Promise<number>((resolve, reject) => {
      worker.once('listening', (address) => resolve(address.port))
      worker.once('exit', (code) => reject(new Error(`worker exited with code ${code} before listening`)))
    })
  })
  // The port the workers share: --port 0 means one the first worker's listen chose.
  let port = config.port
  try {
    port = (await Promise.all(listening))[0] ?? port
    serving = true
  } catch (error) {
    stopping = true
    stopPulling?.()
    for (const w of workers) w.kill('SIGKILL')
    await metricsServer?.close()
    await revocationService?.close()
    throw configError(`the gateway workers could not start: ${(error as Error).message}`, {
      hint: 'run with --workers 1 to see the error directly',
    })
  }
  logger.info(
    `gateway "${config.name}" listening on ${config.listenIp}:${port} with ${count} workers${metricsServer ? `, metrics on :${metricsServer.port}` : ''}`,
  )
  const stop = () => {
    if (stopping) return
    stopping = true
    stopPulling?.()
    logger.info(`stopping ${workers.size} workers`)
    for (const worker of workers) worker.send({ type: DRAIN_MESSAGE })
    const hard = setTimeout(
      () => {
        for (const worker of workers) worker.kill('SIGKILL')
        resolveDone(0)
      },
      Math.min(MAX_TIMER_MS, config.runtime.drainGraceMs + config.runtime.drainTimeoutMs + 3000),
    )
    void done.then(async () => {
      clearTimeout(hard)
      stopWatching()
      await metricsServer?.close()
      await revocationService?.close()
      logger.flush()
    })
    if (workers.size === 0) resolveDone(0)
  }
  return {
    port: config.port,
    metricsPort: metricsServer?.port,
    revokerPort: revocationService?.port,
    stop,
    done,
  }
}
