// The async agents of one gateway process: their pipes compiled with the endpoints, started once the
// gateway can serve (beside the router, as KrakenD starts them), stopped when it drains or closes
// (KrakenD stops them as its context ends), and their pings for /__health. amqplib and the runner
// load only in a process whose config has an agent.

import type { BackendCalls } from '../backend-calls.ts'
import type { CompiledEndpoint } from '../compiled-endpoint.ts'
import type { GuardLogging } from '../components/types.ts'
import type { EndpointConfig, GatewayConfig } from '../config/types.ts'
import { amqpLibrary } from '../libraries.ts'
import type { Logger } from '../logging.ts'
import type { AsyncAgents } from './agents.ts'
import type { AsyncAgentConfig } from './config.ts'
import type { AgentPipe } from './consume.ts'
import { AgentPings } from './pings.ts'
import { agentPipe } from './pipe.ts'

export interface NodeAgents {
  /** Starts the agents (in the background: their one-second trials run one after the other). */
  start(): void
  /** Stops them: messages in flight go back to the broker. */
  stop(): Promise<void>
  /** The `agents` of /__health. */
  report(): Record<string, string>
}

export function createNodeAgents(
  config: GatewayConfig,
  /** compileEndpoint, its guard's components logging as `logging` says */
  compile: (cfg: EndpointConfig, logging: GuardLogging) => CompiledEndpoint,
  calls: Pick<BackendCalls, 'callBackend' | 'callShadows'>,
  logger: Logger,
): NodeAgents | undefined {
  const agents = config.asyncAgents ?? []
  if (agents.length === 0) return undefined
  const pipes = new Map<AsyncAgentConfig, AgentPipe>()
  for (const agent of agents) {
    if (agent.endpoint.backends.length === 0) continue
    // krakend-cel names the agent's made-up endpoint as written, and the agent's line logs a refusal
    const logging = { celName: agent.endpoint.endpoint, logsRefusals: false }
    pipes.set(agent, agentPipe(compile(agent.endpoint, logging), calls))
  }
  const pings = new AgentPings()
  let running: AsyncAgents | undefined
  let stopped = false
  return {
    start() {
      if (running || stopped) return
      running = amqpLibrary().startAsyncAgents(agents, (agent) => pipes.get(agent), pings, {
        debug: (m) => logger.debug(m),
        info: (m) => logger.info(m),
        warning: (m) => logger.warning(m),
        error: (m) => logger.error(m),
      })
    },
    async stop() {
      stopped = true
      await running?.stop()
    },
    report: () => pings.report(),
  }
}
