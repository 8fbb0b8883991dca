// The node's async agents as lura's AgentStarter and krakend-amqp's StartAgent run them: one after
// the other, a one-second trial run of each (quiet; it consumes and pings like any run), then each
// agent's runs in the background, the first after the backoff for attempt 0, another after each end
// (a run that lasted over 5 s resets the count); past max_retries the agent gives up, and that stops
// every agent of the node (lura's error group), not the router.

import { backoffMs, errorText } from '../backend-amqp/connection.ts'
import { monotonicMs } from '../monotonic-ms.ts'
import type { AsyncAgentConfig } from './config.ts'
import { type AgentLog, type AgentPipe, QUIET_LOG, runAgentOnce } from './consume.ts'
import type { AgentPings } from './pings.ts'

const TRIAL_MS = 1000
const MIN_EXECUTION_MS = 5000

export interface AsyncAgents {
  /** Resolves once every agent made its trial run (agents start one after the other). */
  readonly started: Promise<void>
  /** Stops every agent (what the node's context ending does): in-flight messages go back to the broker. */
  stop(): Promise<void>
}

export function startAsyncAgents(
  agents: readonly AsyncAgentConfig[],
  /** undefined: lura cannot build the agent's pipe (no backend). */
  pipeOf: (agent: AsyncAgentConfig) => AgentPipe | undefined,
  pings: AgentPings,
  log: AgentLog,
): AsyncAgents {
  const group = new AbortController()
  const loops: Array<Promise<void>> = []
  const ping = (name: string) => pings.ping(name)
  const started = (async () => {
    for (const agent of agents) {
      if (group.signal.aborted) return
      log.debug(`[SERVICE: AsyncAgent][${agent.name}] Starting the async agent`)
      // lura's proxy factory fails without a backend (shadows apart): the agent is left out
      const pipe = pipeOf(agent)
      if (!pipe) {
        log.error(
          `[SERVICE: AsyncAgent][${agent.name}] building the proxy pipe: all endpoints must have at least one backend`,
        )
        continue
      }
      // krakend-amqp's factory declines an agent without its namespace: no other factory takes it.
      if (!agent.amqp) continue
      const trial = AbortSignal.any([group.signal, deadline(TRIAL_MS)])
      await runAgentOnce(agent, { pipe, ping, log: QUIET_LOG }, trial).catch(() => {})
      loops.push(
        runWithRetries(agent, { pipe, ping, log }, group.signal).then((gaveUp) => {
          if (gaveUp) group.abort(new Error('context canceled'))
        }),
      )
    }
  })()
  return {
    started,
    async stop() {
      group.abort(new Error('context canceled'))
      await started
      await Promise.all(loops)
    },
  }
}

/** StartAgent's loop; true when the agent ran out of retries (ErrTooManyRetries). */
async function runWithRetries(
  agent: AsyncAgentConfig,
  deps: { pipe: AgentPipe; ping(name: string): void; log: AgentLog },
  stop: AbortSignal,
): Promise<boolean> {
  for (let i = 0; i <= agent.maxRetries; i += 1) {
    if (!(await wait(backoffMs(agent.backoff, i), stop))) return false
    const start = monotonicMs()
    try {
      await runAgentOnce(agent, deps, stop)
    } catch (error) {
      deps.log.error(`[SERVICE: Asyncagent][${agent.name}] building the amqp subscriber: ${errorText(error)}`)
    }
    if (monotonicMs() - start > MIN_EXECUTION_MS) i = 0
  }
  return true
}

/** Waits `ms` unless `stop` aborts first (false then). */
function wait(ms: number, stop: AbortSignal): Promise<boolean> {
  if (stop.aborted) return Promise.resolve(false)
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer)
      stop.removeEventListener('abort', onAbort)
      resolve(ok)
    }
    const onAbort = () => done(false)
    const timer = setTimeout(() => done(true), ms)
    stop.addEventListener('abort', onAbort, { once: true })
  })
}

/** A signal that aborts after `ms` with Go's context.DeadlineExceeded text. */
function deadline(ms: number): AbortSignal {
  const controller = new AbortController()
  setTimeout(() => controller.abort(new Error('context deadline exceeded')), ms).unref()
  return controller.signal
}
