// A node with more than one worker: the node:cluster primary that forks them, restarts one that
// dies, aggregates their metrics, owns auth/revoker's filter and drains them on stop.
import cluster, { type Worker } from 'node:cluster'
import { configError } from '../core/errors.ts'
import { MAX_TIMER_MS } from './config/duration.ts'
import type { GatewayConfig } from './config/types.ts'
import { metricsLibrary, revokerLibrary } from './libraries.ts'
import { createLogger } from './logging.ts'
import { listenMetrics } from './metrics-server.ts'
import { watchOpenFiles } from './open-files.ts'
import type { Followers, RevocationService } from './revoker/revocation-service.ts'
import type { RunningGateway } from './runtime.ts'
import { type Peers, serveRevocations } from './runtime-revocations.ts'

export const WORKER_ENV = 'GWDEPLOY_GATEWAY_WORKER'
export const STARTED_ENV = 'GWDEPLOY_GATEWAY_STARTED'
export const DRAIN_MESSAGE = 'gwdeploy:gateway:drain'

export async function runPrimary(
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
