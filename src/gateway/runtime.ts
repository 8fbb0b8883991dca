import cluster from 'node:cluster'
import { formatProblem, isGwError } from '../core/errors.ts'
import { refuseProxiedLambda } from './backend-lambda/start-checks.ts'
import { refuseUnrunnablePubsub } from './backend-pubsub/start-checks.ts'
import { loadEnvDir } from './config/env-dir.ts'
import { loadGatewayConfig } from './config/load.ts'
import { refuseWorkersBeside, workerCount } from './config/single-process.ts'
import type { GatewayConfig, LogLevel } from './config/types.ts'
import { metricsLibrary, revokerLibrary } from './libraries.ts'
import { listenError } from './listen-errors.ts'
import { GatewayMetrics } from './metrics.ts'
import { listenMetrics } from './metrics-server.ts'
import { refuseUnspokenProxies } from './proxy-environment.ts'
import type { PeerAddress } from './revoker/peer-addresses.ts'
import { DRAIN_MESSAGE, runPrimary, STARTED_ENV, WORKER_ENV } from './runtime-primary.ts'
import { type Peers, peersOf, serveRevocations } from './runtime-revocations.ts'
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
