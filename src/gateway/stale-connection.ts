// Go's transport retries a request whose reused keep-alive connection the backend closed just as
// the request went out (the backend's idle timeout racing the request): its errServerClosedIdle,
// or a failed read of the answer's first byte (persistConn.shouldRetryRequest). undici fails the
// call instead; these say when to send it again, as Go would.
import type { Socket } from 'node:net'
import type { HeaderValues } from './request-headers.ts'

const REUSED = Symbol('the connection had carried an earlier answer')
const ANSWER_STARTED = Symbol('the answer had begun when the call failed')

type MarkedError = Error & {
  code?: string
  socket?: { bytesRead?: number }
  [REUSED]?: boolean
  [ANSWER_STARTED]?: boolean
}

/** Marks the errors of a backend socket with whether it had read an earlier answer (a reset has no socket details). */
export function markReuseOnErrors(socket: Socket): Socket {
  socket.on('error', (error: MarkedError) => {
    error[REUSED] = socket.bytesRead > 0
  })
  return socket
}

/** Marks an error that came after the answer's head: the call is never sent again then. */
export function markAnswerStarted(error: Error): Error {
  ;(error as MarkedError)[ANSWER_STARTED] = true
  return error
}

/**
 * Whether the call failed because the backend closed a reused connection before any byte of
 * the answer: a close (undici's "other side closed") on a socket that had read an earlier answer,
 * or a reset or broken pipe on one.
 */
export function closedBeforeAnswer(error: unknown): boolean {
  const e = error as MarkedError | undefined
  if (!e || e[ANSWER_STARTED]) return false
  if (e.code === 'UND_ERR_SOCKET') return (e.socket?.bytesRead ?? 0) > 0
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE') return e[REUSED] === true
  return false
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
