// How an agent's pipe logs a component's refusal, as KrakenD's does: krakend-amqp's agent logs the
// error the proxy stack returned on its own line ([SERVICE: AsyncAgent][AMQP][name] <error>), and
// lura's stack logs nothing more of it but krakend-cel's evaluator line (INFO, "[ENDPOINT: name][CEL]
// [pre]"). This runtime's components log their refusals at an endpoint: while a message is in the
// pipe, the agent's logger takes those lines for the agent's own (an AsyncLocalStorage per message,
// so concurrent messages keep theirs apart); every other line goes to the node's logger as it is.

import { AsyncLocalStorage } from 'node:async_hooks'
import { luraEndpointPath } from '../go-http.ts'
import type { Logger } from '../logging.ts'

interface Refusal {
  /** The error lura's stack returns for the component's refusal. */
  text?: string
}

export interface RefusalLog {
  /** The logger the agent's endpoint-level components log with. */
  readonly logger: Logger
  /** Runs `pipe` for one message. */
  run<T>(pipe: () => Promise<T>): Promise<T>
  /** The error of the component that refused the message, when one logged it. */
  text(): string | undefined
}

/** The refusal log of the agent named `name` (its made-up endpoint's name too). */
export function refusalLog(name: string, logger: Logger): RefusalLog {
  const messages = new AsyncLocalStorage<Refusal>()
  // the components' prefix (compileEndpointGuard's); krakend-cel's is the endpoint as written
  const prefix = `[ENDPOINT: ${luraEndpointPath(name)}]`
  const evaluator = new RegExp(
    `^${escaped(`${prefix}[CEL]`)}(\\[(?:pre|post)\\] Evaluator #(\\d+) (?:result|failed): .*)$`,
    's',
  )
  const error = (message: string) => {
    const refusal = messages.getStore()
    if (refusal === undefined || !message.startsWith(prefix)) return logger.error(message)
    const rest = message.slice(prefix.length)
    // modifier/lua-proxy's error, validation/json-schema's: the agent's line says it
    if (rest.startsWith(' ')) refusal.text = rest.slice(1)
    else if (rest.startsWith('[JSONSchema] ')) refusal.text = rest.slice('[JSONSchema] '.length)
    else logger.error(message)
  }
  // krakend-cel's evaluator line, under the agent's name; its refusal is the agent's line too
  const info = (message: string) => {
    const refusal = messages.getStore()
    const cel = refusal === undefined ? null : evaluator.exec(message)
    if (refusal === undefined || cel === null) return logger.info(message)
    refusal.text = `request aborted by evaluator #${cel[2]}`
    logger.info(`[ENDPOINT: ${name}][CEL]${cel[1]}`)
  }
  return {
    logger: new Proxy(logger, {
      get: (target, key, receiver) =>
        key === 'error' ? error : key === 'info' ? info : Reflect.get(target, key, receiver),
    }),
    run: (pipe) => messages.run({}, pipe),
    text: () => messages.getStore()?.text,
  }
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
