// The parts of undici the backend client uses, imported by path. The package's index also loads
// fetch, WebSocket, caches, mocks and proxies: 420 KB of the runtime bundle and a few MB of resident
// memory in every worker, none of it used here.
import type { Socket } from 'node:net'
import type { Dispatcher } from 'undici'
import request from 'undici/lib/api/api-request.js'
import buildConnector from 'undici/lib/core/connect.js'
import symbols from 'undici/lib/core/symbols.js'
import Agent from 'undici/lib/dispatcher/agent.js'
import Pool from 'undici/lib/dispatcher/pool.js'
import poolBase from 'undici/lib/dispatcher/pool-base.js'

export { Agent, buildConnector, Pool }

const { kConnected, kSize, kRunning, kPending, kNeedDrain, kResume, kSocket } = symbols
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
 * A pool's open connection with nothing in flight, the one idle the shortest time first (the pool
 * keeps them in that order: asGoPool); undefined when there is none.
 */
export function idleConnection(pool: Pool): Dispatcher | undefined {
  const clients = (pool as unknown as Slots)[kClients] as Slots[]
  for (const client of clients)
    if (client[kConnected] === true && client[kSize] === 0) return client as unknown as Dispatcher
  return undefined
}

/** A pool that takes connections as Go's transport takes them (the three below). */
export function asGoPool(pool: Pool): Pool {
  preferOpenConnections(pool)
  reuseOnceAnswered(pool)
  lastIdleFirst(pool)
  return pool
}

/**
 * Keeps a pool's open connections ahead of its closed ones: the pool takes its first client not at
 * capacity, so a client whose connection closed while idle would dial anew where Go's transport
 * takes one of the idle connections left (and, were it reset, retries on the others).
 */
function preferOpenConnections(pool: Pool): void {
  pool.on('disconnect', (_origin, targets) => {
    const clients = (pool as unknown as Slots)[kClients] as unknown[]
    const closed = targets[targets.length - 1]
    const at = clients.indexOf(closed)
    if (at === -1 || at === clients.length - 1) return
    clients.splice(at, 1)
    clients.push(closed)
  })
}

/** undici's Client kNeedDrain while the pool waits for the client's 'drain' to give it more. */
const AWAITING_DRAIN = 2

/**
 * Makes a pool's connection take the next call as soon as its answer is read whole, as Go's
 * transport puts a connection back among the idle ones once the body is read to its end. undici
 * (keep-alive, one request at a time) frees the connection only a full event-loop turn later, so
 * a call made right after the previous one's answer (a sequential proxy's next backend, a retry)
 * found it busy and dialled another: two connections where KrakenD uses one, and one more reused
 * connection for a stale-connection retry to try. After undici's own 'readable' listener has parsed
 * the socket's bytes, a client with nothing left in flight is resumed at once (its 'drain' tells
 * the pool); the later resume finds nothing to do. One listener per connection, none per request.
 */
function reuseOnceAnswered(pool: Pool): void {
  pool.on('connect', (_origin, targets) => {
    const client = targets[targets.length - 1] as unknown as Slots
    const socket = client[kSocket] as Socket | null | undefined
    if (!socket) return
    socket.on('readable', () => {
      if (
        client[kNeedDrain] === AWAITING_DRAIN &&
        client[kRunning] === 0 &&
        client[kPending] === 0 &&
        !socket.destroyed
      )
        (client[kResume] as () => void)()
    })
  })
}

/** Marks a client whose 'drain' already moves it to the front. */
const ORDERED = Symbol('moved to the front of its pool when idle')

/**
 * Keeps a pool's clients in the order Go's transport takes idle connections: the one that went
 * idle last first (its idle list is a stack). undici takes its first client not at capacity, so
 * after a burst the oldest connection took the next call, where KrakenD takes the freshest: the one
 * least likely to be closing for a backend's idle timeout (a POST on a closing connection fails).
 * A client goes to the front when it drains (its call answered); one listener per client, and
 * the move shifts the clients before it without allocating.
 */
function lastIdleFirst(pool: Pool): void {
  const clients = (pool as unknown as Slots)[kClients] as unknown[]
  pool.on('connect', (_origin, targets) => {
    const client = targets[targets.length - 1] as unknown as Slots & Dispatcher
    if (client[ORDERED] === true) return
    client[ORDERED] = true
    client.on('drain', () => {
      // a client drains too when its connection failed: that one stays behind the open ones
      if (client[kConnected] !== true) return
      let at = clients.indexOf(client)
      if (at <= 0) return
      for (; at > 0; at -= 1) clients[at] = clients[at - 1]
      clients[0] = client
    })
  })
}
