/**
 * `qos/http-cache` (backend level), as krakend-httpcache v2.2.0 over krakend/httpcache v1.1.1: an
 * in-memory cache of backend answers in front of the backend's HTTP transport, so every hop of a
 * call (each redirect too) goes through it. GET and HEAD without Range are looked up by URL
 * ("HEAD url" for HEAD); a fresh answer (max-age or Expires against Date) is served without a
 * call, a stale one is revalidated with If-None-Match/If-Modified-Since and a 304 refreshes it.
 * Every status is stored unless Cache-Control says no-store; a GET answer only once its body has
 * been read. Without both `max_size` and `max_items` the cache has no limit; with both it is an
 * LRU counting the bytes of each answer as Go dumps it. `shared` uses one process-wide cache.
 * Loaded the first time a config names the component (http-cache.ts, components/runtimes.ts).
 */
import { setOwnKey } from '../own-keys.ts'
import { type HttpCacheConfig, MAX_INT64 } from './http-cache-config.ts'
import {
  type CachedAnswer,
  canStaleOnError,
  canStore,
  dumpAndReadBack,
  endToEndNames,
  first,
  freshness,
  type GoAnswer,
  type Headers,
  parseCacheControl,
  varyMatches,
  varyNames,
} from './http-cache-policy.ts'

interface Store {
  get(key: string): CachedAnswer | undefined
  set(key: string, answer: CachedAnswer, size: number): void
  delete(key: string): void
}

/** httpcache.MemoryCache: a map with no limit. */
class MemoryStore implements Store {
  readonly #items = new Map<string, CachedAnswer>()
  get(key: string) {
    return this.#items.get(key)
  }
  set(key: string, answer: CachedAnswer) {
    this.#items.set(key, answer)
  }
  delete(key: string) {
    this.#items.delete(key)
  }
}

/**
 * krakend/lru: least recently used first out, over `maxItems` or `maxSize` bytes. Its accounting
 * is kept: an answer of `maxSize` bytes or more is not stored, replacing a key keeps the old size in
 * the total while a removal subtracts the current one, and a total below zero is Go's wrapped
 * uint64 (huge). Where Go would then spin forever on an empty list, this one starts again from zero.
 */
export class LruStore implements Store {
  readonly #maxSize: number
  readonly #maxItems: number
  /** Most recently used last. */
  readonly #items = new Map<string, { answer: CachedAnswer; size: number }>()
  #inUse = 0

  constructor(maxSize: number, maxItems: number) {
    this.#maxSize = maxSize
    this.#maxItems = maxItems
  }

  get inUse(): number {
    return this.#inUse
  }

  keys(): string[] {
    return [...this.#items.keys()]
  }

  get(key: string) {
    const item = this.#items.get(key)
    if (!item) return undefined
    this.#items.delete(key)
    this.#items.set(key, item)
    return item.answer
  }

  set(key: string, answer: CachedAnswer, size: number) {
    // Go compares with int(maxSize): from 2^63 on that is negative and nothing fits.
    if (this.#maxSize >= MAX_INT64 || size >= this.#maxSize) return
    const existing = this.#items.get(key)
    if (existing) {
      this.#items.delete(key)
      this.#items.set(key, { answer, size })
      return
    }
    this.#items.set(key, { answer, size })
    this.#inUse += size
    while (this.#inUse < 0 || this.#inUse > this.#maxSize || this.#items.size > this.#maxItems) {
      const oldest = this.#items.keys().next()
      if (oldest.done) {
        this.#inUse = 0
        break
      }
      this.#release(oldest.value)
    }
  }

  delete(key: string) {
    if (this.#items.has(key)) this.#release(key)
  }

  #release(key: string) {
    this.#inUse -= (this.#items.get(key) as { size: number }).size
    this.#items.delete(key)
  }
}

/** One hop as the cache sees it: `header` is Go's Header.Get ('' when absent), lowercase names. */
export interface HopRequest {
  method: string
  url: string
  header(name: string): string
}

/** Stores the answer once its body has been read (what was read; an unread body is never stored). */
export type Commit = (body: Buffer) => void

/** What to do for a hop: answer from the cache, or call the backend and settle with its answer. */
export type CacheStep =
  | { kind: 'answer'; answer: CachedAnswer; commit?: Commit }
  | {
      kind: 'call'
      /** Validators to set on the request (replacing the same headers). */
      conditional: Record<string, string>
      /** The backend's answer (undefined: the call failed) at `now`. */
      settle(answer: GoAnswer | undefined, now: number): Settled
    }

export type Settled =
  /** Discard the backend's answer and give this one (a 304 merged into the cache, or stale-if-error). */
  | { kind: 'answer'; answer: CachedAnswer; commit?: Commit }
  /** Give the backend's answer with these header changes. */
  | { kind: 'live'; set: Record<string, string>; drop: string[]; commit?: Commit }
  /** The call's own error stands. */
  | { kind: 'failed' }

const EMPTY = Buffer.alloc(0)

export class HttpCache {
  readonly #store: Store

  constructor(store: Store) {
    this.#store = store
  }

  begin(req: HopRequest, now: number): CacheStep {
    const key = req.method === 'GET' ? req.url : `${req.method} ${req.url}`
    const cacheable = (req.method === 'GET' || req.method === 'HEAD') && req.header('range') === ''
    const stored = cacheable ? this.#store.get(key) : undefined
    if (!cacheable) this.#store.delete(key)
    if (stored) return this.#revalidate(req, key, copy(stored), now)
    if (parseCacheControl(req.header('cache-control')).has('only-if-cached')) {
      const timeout: GoAnswer = {
        status: 504,
        reason: 'Gateway Timeout',
        headers: {},
        contentLength: -1,
        chunked: false,
        close: true,
        uncompressed: false,
      }
      const settled = this.#storeStep(req, key, cacheable, timeout)
      return settled.kind === 'live'
        ? { kind: 'answer', answer: { ...timeout, body: EMPTY }, ...commitOf(settled) }
        : { kind: 'answer', answer: { ...timeout, body: EMPTY } }
    }
    return {
      kind: 'call',
      conditional: {},
      settle: (answer) => (answer ? this.#storeStep(req, key, cacheable, answer) : { kind: 'failed' }),
    }
  }

  #revalidate(req: HopRequest, key: string, cached: CachedAnswer, now: number): CacheStep {
    const conditional: Record<string, string> = {}
    if (varyMatches(cached.headers, req.header)) {
      const state = freshness(cached.headers, req.header, now)
      if (state === 'fresh') return { kind: 'answer', answer: cached }
      if (state === 'stale') {
        const etag = first(cached.headers, 'etag')
        if (etag !== '' && req.header('etag') === '') conditional['if-none-match'] = etag
        const modified = first(cached.headers, 'last-modified')
        if (modified !== '' && req.header('last-modified') === '') conditional['if-modified-since'] = modified
      }
    }
    return {
      kind: 'call',
      conditional,
      settle: (answer, at) => {
        if (answer && req.method === 'GET' && answer.status === 304) {
          for (const name of endToEndNames(answer.headers))
            setOwnKey(cached.headers, name, answer.headers[name])
          const settled = this.#storeStep(req, key, true, cached)
          if (settled.kind === 'live') applyEdits(cached.headers, settled)
          return { kind: 'answer', answer: cached, ...commitOf(settled) }
        }
        if (
          (!answer || answer.status >= 500) &&
          req.method === 'GET' &&
          canStaleOnError(cached.headers, req.header, at)
        )
          return { kind: 'answer', answer: cached }
        if (answer?.status !== 200) this.#store.delete(key)
        return answer ? this.#storeStep(req, key, true, answer) : { kind: 'failed' }
      },
    }
  }

  /** The end of httpcache's RoundTrip: store (a GET once read) or drop the entry. */
  #storeStep(req: HopRequest, key: string, cacheable: boolean, answer: GoAnswer): Settled {
    if (!cacheable || !canStore(req.header, answer.headers)) {
      this.#store.delete(key)
      return { kind: 'live', set: {}, drop: [] }
    }
    const set: Record<string, string> = {}
    for (const name of varyNames(answer.headers)) {
      const value = req.header(name)
      if (value !== '') set[`x-varied-${name}`] = value
    }
    const drop =
      req.method === 'GET' && first(answer.headers, 'content-encoding') === 'gzip' ? ['content-encoding'] : []
    const toStore: GoAnswer = { ...answer, headers: { ...answer.headers } }
    applyEdits(toStore.headers, { set, drop })
    const commit: Commit = (body) => {
      const dumped = dumpAndReadBack(toStore, body, req.method)
      if (dumped) this.#store.set(key, dumped.readBack, dumped.size)
    }
    if (req.method !== 'GET') {
      commit(EMPTY)
      return { kind: 'live', set, drop }
    }
    return { kind: 'live', set, drop, commit }
  }
}

function applyEdits(headers: Headers, edits: { set?: Record<string, string>; drop?: string[] }): void {
  for (const name of edits.drop ?? []) delete headers[name]
  Object.assign(headers, edits.set ?? {})
}

const commitOf = (settled: Settled): { commit?: Commit } =>
  settled.kind === 'live' && settled.commit ? { commit: settled.commit } : {}

/** A stored answer as a fresh object (Go reads the dump anew on every lookup). */
function copy(answer: CachedAnswer): CachedAnswer {
  const headers: Headers = {}
  for (const [name, value] of Object.entries(answer.headers))
    setOwnKey(headers, name, Array.isArray(value) ? [...value] : value)
  return { ...answer, headers }
}

/**
 * The caches of one gateway process: one per backend, or the process-wide ones for `shared`
 * (KrakenD's package globals: an unbounded map, and an LRU sized by the first backend that uses it).
 */
export function createHttpCaches(): (cfg: HttpCacheConfig) => HttpCache {
  let sharedMemory: HttpCache | undefined
  let sharedLru: HttpCache | undefined
  return (cfg) => {
    if (cfg.maxSize === 0 || cfg.maxItems === 0) {
      if (!cfg.shared) return new HttpCache(new MemoryStore())
      sharedMemory ??= new HttpCache(new MemoryStore())
      return sharedMemory
    }
    if (!cfg.shared) return new HttpCache(new LruStore(cfg.maxSize, cfg.maxItems))
    sharedLru ??= new HttpCache(new LruStore(cfg.maxSize, cfg.maxItems))
    return sharedLru
  }
}
