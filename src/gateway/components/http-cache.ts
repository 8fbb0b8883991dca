/**
 * `qos/http-cache` (backend level), as krakend-httpcache v2.2.0 over krakend/httpcache v1.1.1. Its
 * options are parsed with the config in every worker (http-cache-config.ts: a bad one exits 2 as
 * before); the cache itself (http-cache-store.ts, http-cache-policy.ts) and a hop's way through it
 * (backend-cache-hops.ts) are loaded when a config first gives a backend a cache
 * (components/runtimes.ts), so a worker whose config has none neither compiles nor runs them.
 */
import type { HttpCacheConfig } from './http-cache-config.ts'
import type { HttpCache } from './http-cache-store.ts'
import { backendCacheHops, httpCacheStore } from './runtimes.ts'

export { checkSharedSizes, type HttpCacheConfig, parseHttpCache } from './http-cache-config.ts'
export type { CachedAnswer, GoAnswer, Headers } from './http-cache-policy.ts'
export type { CacheStep, Commit, HopRequest, HttpCache, Settled } from './http-cache-store.ts'

/**
 * The caches of one gateway process (http-cache-store.ts's createHttpCaches), its code loaded by
 * the first backend that has one: when the config is compiled, before the node serves.
 */
export function createHttpCaches(): (cfg: HttpCacheConfig) => HttpCache {
  let caches: ((cfg: HttpCacheConfig) => HttpCache) | undefined
  return (cfg) => {
    // The backend client's hops go through this code for every cached call (backend-cache.ts).
    backendCacheHops()
    caches ??= httpCacheStore().createHttpCaches()
    return caches(cfg)
  }
}
