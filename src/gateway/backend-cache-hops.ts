// qos/http-cache between the backend client and the wire: krakend/httpcache's Transport around
// each hop of a call, and cached answers handed back as the client's streamed or buffered hops.
// Loaded with the cache, when a config first gives a backend one (backend-cache.ts calls in).
import { constants } from 'node:buffer'
import { STATUS_CODES } from 'node:http'
import { Readable } from 'node:stream'
import { gunzipSync } from 'node:zlib'
import type { HopCache } from './backend-cache.ts'
import {
  type BackendBody,
  type BackendRequest,
  type Hop,
  type HopRequest,
  headerValue,
  isGzip,
  type Send,
} from './backend-client.ts'
import { REDIRECT_SLURP } from './backend-collect.ts'
import type { CachedAnswer, Commit } from './components/http-cache.ts'
import { goAnswer } from './components/http-cache-policy.ts'
import { goRefusalOfInflated, gzipMembers } from './gzip-members.ts'

const { MAX_LENGTH } = constants

/**
 * One hop through qos/http-cache (krakend/httpcache's Transport.RoundTrip): answered from the
 * cache, or sent (with validators) and then settled; a failed call may fall back on a stale answer.
 */
export async function throughCache<T>(
  hop: HopRequest,
  req: BackendRequest,
  send: Send<T>,
  cached: (answer: CachedAnswer, commit: Commit | undefined) => Hop<T>,
): Promise<Hop<T>> {
  const cache = req.cache as HopCache
  const header = (name: string) =>
    (name in cache.seen ? cache.seen[name] : headerValue(hop.headers[name])) ?? ''
  const step = cache.http.begin({ method: hop.method, url: hop.origin + hop.path, header }, Date.now())
  if (step.kind === 'answer') return cached(step.answer, step.commit)
  const conditional = Object.keys(step.conditional).length > 0
  let live: Hop<T>
  try {
    live = await send(conditional ? { ...hop, headers: { ...hop.headers, ...step.conditional } } : hop, req)
  } catch (error) {
    // lura returns the context's error after a deadline whatever the transport answered.
    if (req.cancel.aborted) throw error
    const settled = step.settle(undefined, Date.now())
    if (settled.kind === 'answer') return cached(settled.answer, settled.commit)
    throw error
  }
  const gunzipped = cache.transportGzip && isGzip(live.headers) && hasBody(hop.method, live)
  const reason = goReason(live)
  const settled = step.settle(
    goAnswer(live.statusCode, reason, live.headers, hop.method, gunzipped),
    Date.now(),
  )
  if (settled.kind === 'answer') {
    live.discard()
    return cached(settled.answer, settled.commit)
  }
  if (settled.kind === 'failed') return live
  const headers = { ...live.headers }
  for (const name of settled.drop) delete headers[name]
  Object.assign(headers, settled.set)
  const store = settled.commit
  const commit: Commit | undefined = store && ((body) => storeBody(store, body, gunzipped && isGzip(headers)))
  return { ...live, headers, commit, discard: commit ? redirectDiscard(live, commit) : live.discard }
}

/**
 * Go's transport undoes its gzip only on an answer with a body (not HEAD, 204, 304 or a zero
 * Content-Length): one without keeps its Content-Encoding, which the cache then drops.
 */
function hasBody(method: string, live: Hop<unknown>): boolean {
  if (method === 'HEAD' || live.statusCode === 204 || live.statusCode === 304) return false
  return (
    live.headers['transfer-encoding'] !== undefined || headerValue(live.headers['content-length']) !== '0'
  )
}

/**
 * The text after the status code that Go's Response.Write dumps: the backend's reason phrase, or
 * the code again when the line had none (Go's Status is then just the code).
 */
function goReason(live: Hop<unknown>): string {
  if (live.reason === undefined) return STATUS_CODES[live.statusCode] ?? ''
  return live.reason === '' ? String(live.statusCode) : live.reason
}

/**
 * Stores what was read, decompressed as Go's transport hands it up: the cache stores on Close what
 * passed before a gzip read error (nothing at all when the header failed).
 */
function storeBody(store: Commit, body: Buffer, compressed: boolean): void {
  if (!compressed) {
    store(body)
    return
  }
  let whole: Buffer | undefined
  try {
    const { buffer, engine } = gunzipSync(body, { info: true }) as unknown as {
      buffer: Buffer
      engine: { bytesWritten: number }
    }
    if (goRefusalOfInflated(body, buffer, engine.bytesWritten, MAX_LENGTH) === undefined) whole = buffer
  } catch {}
  store(whole ?? gzipMembers(body, MAX_LENGTH)?.out ?? Buffer.alloc(0))
}

/**
 * Go's client, following a redirect, reads up to 2 KB of its body (none when Content-Length says
 * more) before closing it: that much is what the cache stores.
 */
function redirectDiscard<T>(live: Hop<T>, commit: Commit): () => void | Promise<void> {
  return () => {
    const length = Number(headerValue(live.headers['content-length']) ?? -1)
    if (length > REDIRECT_SLURP) return live.discard()
    if (Buffer.isBuffer(live.answer)) return commit(live.answer.subarray(0, REDIRECT_SLURP))
    // Stored before the next hop is looked up, as Go reads it before following (an LRU's order).
    return readUpTo(live.answer as BackendBody, REDIRECT_SLURP).then(commit, () => {})
  }
}

async function readUpTo(body: BackendBody, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk)
    size += chunk.length
    if (size >= limit) break
  }
  void body.dump().catch(() => {})
  return Buffer.concat(chunks).subarray(0, limit)
}

/** A cached answer as a streamed hop: its body a stream that stores on end (when the cache asks). */
export function cachedStream(answer: CachedAnswer, commit: Commit | undefined): Hop<BackendBody> {
  const body = bufferBody(answer.body)
  return {
    statusCode: answer.status,
    headers: answer.headers,
    answer: commit ? committingBody(body, commit) : body,
    discard: () => {
      void body.dump()
      if (commit) slurpCached(answer, commit)
    },
  }
}

export function cachedBuffer(answer: CachedAnswer, commit: Commit | undefined): Hop<Buffer> {
  return {
    statusCode: answer.status,
    headers: answer.headers,
    answer: answer.body,
    discard: commit ? () => slurpCached(answer, commit) : () => {},
    commit,
  }
}

/**
 * A cached answer (a 304 merged into it) that is a redirect Go's client follows: it reads up to
 * 2 KB of it first, and the cache stores what was read (nothing when Content-Length says more).
 */
function slurpCached(answer: CachedAnswer, commit: Commit): void {
  if (answer.contentLength > REDIRECT_SLURP) return
  commit(answer.body.subarray(0, REDIRECT_SLURP))
}

function bufferBody(bytes: Buffer): BackendBody {
  const body = Readable.from(bytes.length > 0 ? [bytes] : []) as BackendBody
  body.dump = async () => {
    body.destroy()
  }
  return body
}

/**
 * A streamed body that stores what passed once the stream ends or is cut (Go's cachingReadCloser:
 * on EOF or Close, if it was read at all — reaching the end of an empty body is a read); dump()
 * drops it without storing, as an unread body.
 */
export function committingBody(body: BackendBody, commit: Commit): BackendBody {
  const chunks: Buffer[] = []
  let read = false
  let done = false
  const finish = () => {
    if (done || !read) return
    done = true
    commit(Buffer.concat(chunks))
  }
  body.on('data', (chunk: Buffer) => {
    read = true
    chunks.push(chunk)
  })
  body.pause()
  body.once('end', () => {
    read = true
    finish()
  })
  body.once('close', finish)
  const dump = body.dump.bind(body)
  body.dump = () => {
    done = true
    return dump()
  }
  return body
}
