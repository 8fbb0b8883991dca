/**
 * Listening on an IP address without Node's host lookup. `net.Server#listen({ host })` sends even an
 * IP literal through `dns.lookup` and then an IPv6 link-local check whose regular expression V8
 * compiles on first use: ~3.5 ms of CPU at start, most of what listening costs. For an IPv4 literal,
 * `::` and `::1` the lookup's answer is known (the literal and its family), so the server is handed
 * to the step `listen` takes after it (`_listen2`, the primary's path of net's listenInCluster,
 * which binds exactly as before: an IPv4 literal IPv4 only, `::` dual-stack). A host name, another
 * IPv6 spelling, a cluster worker (its handle comes from the primary) or a Node without that step
 * takes `listen` as before.
 */
import cluster from 'node:cluster'
import { isIPv4, type Server } from 'node:net'

export interface ListenAt {
  port: number
  host: string
  exclusive?: boolean
}

type Listen2 = (address: string, port: number, addressType: number) => void

function literalFamily(host: string): 4 | 6 | 0 {
  if (host === '::' || host === '::1') return 6
  return isIPv4(host) ? 4 : 0
}

/** `server.listen(at, onListening)`, without the lookup when `at.host` is an IP literal it knows. */
export function listenAt(server: Server, at: ListenAt, onListening: () => void): void {
  const family = literalFamily(at.host)
  const listen2 = (server as unknown as { _listen2?: Listen2 })._listen2
  const ownHandle = cluster.isPrimary || at.exclusive === true
  const validPort = Number.isInteger(at.port) && at.port >= 0 && at.port <= 65535
  if (family === 0 || typeof listen2 !== 'function' || !ownHandle || !validPort || server.listening) {
    server.listen({ port: at.port, host: at.host, exclusive: at.exclusive ?? false }, onListening)
    return
  }
  server.once('listening', onListening)
  listen2.call(server, at.host, at.port, family)
}
