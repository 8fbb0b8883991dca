// Go's transport retries a request whose reused keep-alive connection the backend closed just as
// the request went out (the backend's idle timeout racing the request): its errServerClosedIdle,
// or a failed read of the answer's first byte, on a reused connection
// (persistConn.shouldRetryRequest). undici fails the call instead; these say when to send it
// again, as Go would.
import type { Socket } from 'node:net'
import type { HeaderValues } from './request-headers.ts'

const CLOSED_BEFORE_ANSWER = Symbol('a reused connection failed before any byte of the answer')

type MarkedError = Error & { code?: string; [CLOSED_BEFORE_ANSWER]?: boolean }

/**
 * Watches a backend socket: its errors (undici's "other side closed" among them: it destroys the
 * socket with it) are marked with whether the connection had carried an earlier answer and nothing
 * of the current one had arrived. Returns what to call as each request head goes out.
 */
export function watchReuse(socket: Socket): () => void {
  let readBeforeHead = 0
  socket.on('error', (error: MarkedError) => {
    error[CLOSED_BEFORE_ANSWER] = readBeforeHead > 0 && socket.bytesRead === readBeforeHead
  })
  return () => {
    readBeforeHead = socket.bytesRead
  }
}

/**
 * Whether the call failed because the backend closed (or reset) a reused connection before any
 * byte of the answer.
 */
export function closedBeforeAnswer(error: unknown): boolean {
  const e = error as MarkedError | undefined
  if (e?.[CLOSED_BEFORE_ANSWER] !== true) return false
  return e.code === 'UND_ERR_SOCKET' || e.code === 'ECONNRESET' || e.code === 'EPIPE'
}

/** Go's Request.isReplayable: no body (or one it can rewind) and an idempotent method or key. */
export function replayable(method: string, hasBody: boolean, headers: HeaderValues): boolean {
  if (hasBody) return false
  switch (method) {
    case 'GET':
    case 'HEAD':
    case 'OPTIONS':
    case 'TRACE':
      return true
    default:
      return headers['idempotency-key'] !== undefined || headers['x-idempotency-key'] !== undefined
  }
}
