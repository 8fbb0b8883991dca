// Backends KrakenD runs one consumer for per process (an AMQP consumer, a pub/sub subscriber), handing
// each message to the next request: one worker process serves them as KrakenD does. Several would each
// consume on their own, a message held by one worker waiting while a request on another times out
// (NATS even hands every worker a copy). An async agent too: KrakenD runs each once, and several
// workers would each run it, multiplying its workers and max_rate.

import { availableParallelism } from 'node:os'
import { configError } from '../../core/errors.ts'
import type { Report } from '../components/types.ts'
import type { GatewayConfig } from './types.ts'

interface SingleProcessBackend {
  /** The JSON path of the backend or agent. */
  path: string
  endpoint: string
  namespace: string
}

const CONSUMES = '(KrakenD consumes once and hands each message to the next request)'
const RUNS_AGENT = '(KrakenD runs each agent once, with its workers and max_rate)'

/** The first backend (or async agent) that needs the node to run one worker process, if any. */
export function singleProcessBackend(config: GatewayConfig): SingleProcessBackend | undefined {
  for (const ep of config.endpoints)
    for (const backend of [...ep.backends, ...(ep.shadows ?? [])]) {
      if (backend.amqp?.consumer)
        return { path: backend.path, endpoint: ep.endpoint, namespace: 'backend/amqp/consumer' }
      if (backend.pubsub?.role === 'subscriber')
        return { path: backend.path, endpoint: ep.endpoint, namespace: 'backend/pubsub/subscriber' }
    }
  const agent = config.asyncAgents?.find((a) => a.amqp !== undefined)
  if (agent)
    return { path: agent.endpoint.path, endpoint: `async agent ${agent.name}`, namespace: 'async/amqp' }
  return undefined
}

/** The node's worker processes: `workers` 0 is one per core, or one beside such a backend. */
export function workerCount(config: GatewayConfig, cores = availableParallelism): number {
  if (config.runtime.workers !== 0) return config.runtime.workers
  return singleProcessBackend(config) ? 1 : cores()
}

const HINT = 'set "gwdeploy/runtime": {"workers": 1}, or leave "workers" unset (the node then runs one)'

const why = (found: SingleProcessBackend) => (found.namespace === 'async/amqp' ? RUNS_AGENT : CONSUMES)

function problem(found: SingleProcessBackend, workers: number): string {
  return `${found.namespace} on ${found.endpoint} needs a node of one worker process ${why(found)}, and the node is set to run ${workers}: ${found.namespace === 'async/amqp' ? 'each worker would run the agent, multiplying its workers and max_rate' : 'each worker would consume on its own, and a request on one would wait out its timeout while another holds the messages'}`
}

/** At start: several workers set (file, flag or environment) beside such a backend are refused, exit 2. */
export function refuseWorkersBeside(config: GatewayConfig, workers: number, file: string | undefined): void {
  const found = workers > 1 ? singleProcessBackend(config) : undefined
  if (found === undefined) return
  throw configError(problem(found, workers), {
    location: { ...(file ? { file } : {}), path: `${found.path}.extra_config.${found.namespace}` },
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
      `${found.namespace} on ${found.endpoint}: the node runs one worker process, not one per core ${why(found)}`,
      'set "gwdeploy/runtime": {"workers": 1} to say so',
    )
}
