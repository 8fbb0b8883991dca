// lura's "dns" service discovery (sd/dnssrv): a backend whose `sd` is "dns" calls the instances of
// the SRV records of its first host, looked up when the gateway starts and again every
// `dns_cache_ttl` (30 s; below 1 s unset), each lookup ending its wait from the end of the one
// before. A failed lookup keeps the instances of the last one that answered.
import type { LookupAddress } from 'node:dns'
import type { LookupFunction } from 'node:net'
import { goNameList, parseResolvConf } from './go-dns-names.ts'
import { loadBuiltin } from './libraries.ts'

export interface SrvRecord {
  name: string
  port: number
  priority: number
  weight: number
}

/** What a backend asks of the discovery: the SRV name (its first host) and `sd_scheme`. */
export interface SrvTarget {
  name: string
  scheme: string
}

const DEFAULT_TTL_MS = 30_000
const MIN_TTL_MS = 1_000

/**
 * lura's dnssrv resolve(): the records of the lowest priority, heaviest first (then by target and
 * port), each as `scheme://target.:port` (Go's SRV targets are rooted names) repeated as often as
 * its weight after the weights are scaled down to 100 (or the record count) and divided by their
 * greatest common divisor. A weight that scales to 0 drops its record, as in lura.
 */
export function srvInstances(records: SrvRecord[], scheme: string): string[] {
  const sorted = [...records].sort(
    (a, b) =>
      a.priority - b.priority ||
      b.weight - a.weight ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
      a.port - b.port,
  )
  const first = sorted[0]
  if (first === undefined) return []
  const chosen = sorted.filter((r) => r.priority <= first.priority)
  const weights = compactWeights(chosen.map((r) => r.weight))
  const instances: string[] = []
  chosen.forEach((r, i) => {
    const host = `${scheme}://${joinHostPort(r.name.endsWith('.') ? r.name : `${r.name}.`, r.port)}`
    for (let n = 0; n < (weights[i] as number); n++) instances.push(host)
  })
  return instances
}

const joinHostPort = (host: string, port: number) =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`

function compactWeights(weights: number[]): number[] {
  const scale = Math.max(100, weights.length)
  const sum = weights.reduce((a, b) => a + b, 0)
  // uint16 arithmetic as lura's: each scaled weight truncated
  const scaled = sum <= scale ? weights : weights.map((w) => Math.floor((w * scale) / sum) & 0xffff)
  const divisor = scaled.reduce((a, b) => gcd(a, b), scaled[0] ?? 0)
  return divisor < 2 ? scaled : scaled.map((w) => Math.floor(w / divisor))
}

function gcd(a: number, b: number): number {
  let x = a
  let y = b
  while (y > 0) [x, y] = [y, x % y]
  return x
}

export interface SrvDiscovery {
  /**
   * net.connect's lookup: a rooted name (an SRV target) by its A and AAAA records from the same DNS
   * servers, as Go's resolver asks DNS for it (not /etc/hosts: KrakenD fails `localhost.` there);
   * other names as getaddrinfo finds them.
   */
  lookup: LookupFunction
  /** Feeds `apply` the instances of `target`, now and after every lookup that answers. */
  watch(target: SrvTarget, apply: (hosts: string[]) => void): void
  /** Resolves once every first lookup has ended, answered or not (KrakenD looks up before it serves). */
  ready(): Promise<void>
  close(): void
}

export interface SrvDiscoveryOptions {
  /** dns_cache_ttl; below 1 s (or unset) lura's 30 s. */
  ttlMs: number
  /** DNS servers to ask (`127.0.0.1:5353`); default: the system's. */
  servers?: string[]
}

export function createSrvDiscovery(options: SrvDiscoveryOptions): SrvDiscovery {
  const ttlMs = options.ttlMs >= MIN_TTL_MS ? options.ttlMs : DEFAULT_TTL_MS
  // Loaded only by a config with an `sd: "dns"` backend
  const { Resolver } = loadBuiltin<typeof import('node:dns/promises')>('node:dns/promises')
  const { readFile } = loadBuiltin<typeof import('node:fs/promises')>('node:fs/promises')
  const { hostname } = loadBuiltin<typeof import('node:os')>('node:os')
  // Go's resolver defaults (resolv.conf's timeout:5, attempts:2): a DNS that never answers does not
  // hold the start longer than Go's first lookup would (c-ares's own: 4 tries, backing off)
  const resolver = new Resolver({ timeout: 5000, tries: 2 })
  if (options.servers) resolver.setServers(options.servers)
  const watched = new Map<
    string,
    { target: SrvTarget; appliers: Array<(hosts: string[]) => void>; last?: string[] }
  >()
  const firstLookups: Array<Promise<void>> = []
  const timers = new Set<NodeJS.Timeout>()
  let closed = false

  // search domains and ndots from /etc/resolv.conf, read at each lookup as Go reads it
  const instancesOf = async (target: SrvTarget): Promise<string[] | undefined> => {
    const text = await readFile('/etc/resolv.conf', 'utf8').catch(() => '')
    for (const name of goNameList(target.name, parseResolvConf(text, hostname()))) {
      try {
        return srvInstances(await resolver.resolveSrv(name), target.scheme)
      } catch {
        // Go tries the next name of its list on any error
      }
    }
    return undefined
  }

  const refresh = async (key: string): Promise<void> => {
    const entry = watched.get(key)
    if (!entry || closed) return
    const hosts = await instancesOf(entry.target)
    if (hosts !== undefined && !closed) {
      entry.last = hosts
      for (const apply of entry.appliers) apply(hosts)
    }
    if (closed) return
    const timer = setTimeout(() => {
      timers.delete(timer)
      void refresh(key)
    }, ttlMs).unref()
    timers.add(timer)
  }

  const dialLookup: LookupFunction = (name, options, callback) => {
    if (!name.endsWith('.') || name.length < 2) {
      loadBuiltin<typeof import('node:dns')>('node:dns').lookup(name, options, callback)
      return
    }
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family
    void Promise.allSettled([
      family === 6 ? Promise.resolve([]) : resolver.resolve4(name),
      family === 4 ? Promise.resolve([]) : resolver.resolve6(name),
    ]).then(([v4, v6]) => {
      const addresses: LookupAddress[] = [
        ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
        ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
      ]
      const first = addresses[0]
      if (first === undefined) {
        const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), {
          code: 'ENOTFOUND',
          // the server Go's error names: the first one asked
          server: serverAddress(resolver.getServers()[0] ?? '127.0.0.1'),
          hostname: name,
        })
        callback(error, options.all ? [] : '', 0)
      } else if (options.all) callback(null, addresses)
      else callback(null, first.address, first.family)
    })
  }

  return {
    lookup: dialLookup,
    watch(target, apply) {
      const key = `${target.scheme} ${target.name}`
      const entry = watched.get(key)
      if (entry) {
        entry.appliers.push(apply)
        if (entry.last) apply(entry.last)
        return
      }
      watched.set(key, { target, appliers: [apply] })
      firstLookups.push(refresh(key))
    },
    ready: () => Promise.all(firstLookups).then(() => undefined),
    close() {
      closed = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      resolver.cancel()
    },
  }
}

/** A resolver's server as Go writes it in errors: address and port (53 unless given), IPv6 bracketed. */
function serverAddress(server: string): string {
  if (/^\[.*\]:\d+$|^[^:]+:\d+$/.test(server)) return server
  return server.includes(':') ? `[${server}]:53` : `${server}:53`
}
