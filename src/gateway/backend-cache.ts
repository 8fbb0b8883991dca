// qos/http-cache between the backend client and the wire. What every worker holds is small: how a
// cached backend's calls are set up (HopCache). A hop through the cache
// (backend-cache-hops.ts) is loaded with the cache itself, when the config is compiled
// (components/http-cache.ts); a backend without a cache never calls into it.
import type { BackendBody, BackendRequest, Hop, HopRequest, Send } from './backend-client.ts'
import type { CachedAnswer, Commit, HttpCache } from './components/http-cache.ts'
import { backendCacheHops } from './components/runtimes.ts'

/** A backend's qos/http-cache and how Go's cache sees this request. */
export interface HopCache {
  http: HttpCache
  /**
   * Request headers Go's cache sees otherwise than they go out (it sits above the transport and
   * the OAuth2 token): its own value, or undefined where it sees none (the transport's gzip,
   * Go's default User-Agent).
   */
  seen: Record<string, string | undefined>
  /** Go's transport asked for gzip itself: the cache holds the answer decompressed. */
  transportGzip: boolean
  /** lura reads the body of an answer with this status (an unread body is never stored). */
  reads(status: number): boolean
}

/** One hop through qos/http-cache (backend-cache-hops.ts). */
export function throughCache<T>(
  hop: HopRequest,
  req: BackendRequest,
  send: Send<T>,
  cached: (answer: CachedAnswer, commit: Commit | undefined) => Hop<T>,
): Promise<Hop<T>> {
  return backendCacheHops().throughCache(hop, req, send, cached)
}

/** A cached answer as a streamed hop (backend-cache-hops.ts). */
export function cachedStream(answer: CachedAnswer, commit: Commit | undefined): Hop<BackendBody> {
  return backendCacheHops().cachedStream(answer, commit)
}

/** A cached answer as a buffered hop (backend-cache-hops.ts). */
export function cachedBuffer(answer: CachedAnswer, commit: Commit | undefined): Hop<Buffer> {
  return backendCacheHops().cachedBuffer(answer, commit)
}

/** A streamed body that stores what passed (backend-cache-hops.ts). */
export function committingBody(body: BackendBody, commit: Commit): BackendBody {
  return backendCacheHops().committingBody(body, commit)
}
