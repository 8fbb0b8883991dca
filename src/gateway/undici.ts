// The parts of undici the backend client uses, imported by path. The package's index also loads
// fetch, WebSocket, caches, mocks and proxies: 420 KB of the runtime bundle and a few MB of resident
// memory in every worker, none of it used here.
import type { Dispatcher } from 'undici'
import request from 'undici/lib/api/api-request.js'
import buildConnector from 'undici/lib/core/connect.js'
import symbols from 'undici/lib/core/symbols.js'
import Agent from 'undici/lib/dispatcher/agent.js'
import Pool from 'undici/lib/dispatcher/pool.js'
import poolBase from 'undici/lib/dispatcher/pool-base.js'

export { Agent, buildConnector, Pool }

const { kConnected, kSize } = symbols
const { kClients } = poolBase

/** undici's `dispatcher.request()` (the package's index installs it on every dispatcher). */
export function requestOn(
  dispatcher: Dispatcher,
  options: Dispatcher.RequestOptions,
): Promise<Dispatcher.ResponseData> {
  return request.call(dispatcher, options)
}

/** undici's internal slots, read by their symbols. */
type Slots = Record<symbol, unknown>

/**
 * A pool's open connection with nothing in flight, the newest first; undefined when there is none.
 * (The pool itself takes its first client not at capacity, a closed one among them: a new dial.)
 */
export function idleConnection(pool: Pool): Dispatcher | undefined {
  const clients = (pool as unknown as Slots)[kClients] as Slots[]
  for (let i = clients.length - 1; i >= 0; i -= 1) {
    const client = clients[i] as Slots
    if (client[kConnected] === true && client[kSize] === 0) return client as unknown as Dispatcher
  }
  return undefined
}

/**
 * Keeps a pool's open connections ahead of its closed ones: the pool takes its first client not at
 * capacity, so a client whose connection closed while idle would dial anew where Go's transport
 * takes one of the idle connections left (and, were it reset, retries on the others).
 */
export function preferOpenConnections(pool: Pool): void {
  pool.on('disconnect', (_origin, targets) => {
    const clients = (pool as unknown as Slots)[kClients] as unknown[]
    const closed = targets[targets.length - 1]
    const at = clients.indexOf(closed)
    if (at === -1 || at === clients.length - 1) return
    clients.splice(at, 1)
    clients.push(closed)
  })
}
