// Backends KrakenD runs one consumer for per process (an AMQP consumer, a pub/sub subscriber), handing
// each message to the next request: one worker process serves them as KrakenD does. Several would each
// consume on their own, a message held by one worker waiting while a request on another times out
// (NATS even hands every worker a copy).

import { availableParallelism } from 'node:os'
import { configError } from '../../core/errors.ts'
import type { Report } from '../components/types.ts'
import type { BackendConfig, GatewayConfig } from './types.ts'

interface SingleProcessBackend {
  backend: BackendConfig
  endpoint: string
  namespace: string
}

/** The first backend that needs the node to run one worker process, if any. */
export function singleProcessBackend(config: GatewayConfig): SingleProcessBackend | undefined {
  for (const ep of config.endpoints)
    for (const backend of [...ep.backends, ...(ep.shadows ?? [])]) {
      if (backend.amqp?.consumer)
        return { backend, endpoint: ep.endpoint, namespace: 'backend/amqp/consumer' }
      if (backend.pubsub?.role === 'subscriber')
        return { backend, endpoint: ep.endpoint, namespace: 'backend/pubsub/subscriber' }
    }
  return undefined
}

/** The node's worker processes: `workers` 0 is one per core, or one beside such a backend. */
export function workerCount(config: GatewayConfig, cores = availableParallelism): number {
  if (config.runtime.workers !== 0) return config.runtime.workers
  return singleProcessBackend(config) ? 1 : cores()
}

const HINT = 'set "gwdeploy/runtime": {"workers": 1}, or leave "workers" unset (the node then runs one)'

function problem(found: SingleProcessBackend, workers: number): string {
  return `${found.namespace} on ${found.endpoint} needs a node of one worker process (KrakenD consumes once and hands each message to the next request), and the node is set to run ${workers}: each worker would consume on its own, and a request on one would wait out its timeout while another holds the messages`
}

/** At start: several workers set (file, flag or environment) beside such a backend are refused, exit 2. */
export function refuseWorkersBeside(config: GatewayConfig, workers: number, file: string | undefined): void {
  const found = workers > 1 ? singleProcessBackend(config) : undefined
  if (found === undefined) return
  throw configError(problem(found, workers), {
    location: { ...(file ? { file } : {}), path: `${found.backend.path}.extra_config.${found.namespace}` },
    hint: `${HINT} (--workers and GATEWAY_WORKERS set it too)`,
  })
}

/**
 * At validation: several workers in the file are an error at `workers`; none set, a warning that the
 * node runs one (the throughput of one process).
 */
export function checkSingleProcess(config: GatewayConfig, report: Report): void {
  const workers = config.runtime.workers
  if (workers === 1) return
  const found = singleProcessBackend(config)
  if (found === undefined) return
  const at = ['extra_config', 'gwdeploy/runtime', 'workers']
  if (workers > 1) report.error(at, problem(found, workers), HINT)
  else
    report.warn(
      at,
      `${found.namespace} on ${found.endpoint}: the node runs one worker process, not one per core (KrakenD consumes once and hands each message to the next request)`,
      'set "gwdeploy/runtime": {"workers": 1} to say so',
    )
}
