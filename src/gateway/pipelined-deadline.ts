// Go's server starts a request's read deadlines when it begins reading that request: after the
// answers to the requests before it on the connection are written. node:http times a request from
// its first byte parsed, and parses pipelined requests while earlier answers are still being made:
// with read_timeout 1 s, a request to a 1.5 s endpoint followed by the start of another lost the
// connection at 1 s (or at node:http's next check), the answers under way and queued with it.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { monotonicMs } from './monotonic-ms.ts'

/** What Go's deadlines wait for here: the head of the request after `after`, then (or only) `req`'s body. */
interface Awaited {
  after: IncomingMessage | undefined
  req: IncomingMessage | undefined
}

interface Reading {
  /** The last request node:http handed over (its head was read). */
  last: IncomingMessage | undefined
  /** When the last answer was written (monotonicMs). */
  answeredAt: number
  /** Set while Go's deadlines run here, not node:http's. */
  awaited: Awaited | undefined
}

const readings = new WeakMap<Duplex, Reading>()

const readingOf = (socket: Duplex): Reading => {
  let reading = readings.get(socket)
  if (!reading) {
    reading = { last: undefined, answeredAt: 0, awaited: undefined }
    readings.set(socket, reading)
  }
  return reading
}

/** Notes a request node:http handed over on `socket`, and when its answer is written. */
export function countRequestRead(req: IncomingMessage, res: ServerResponse): void {
  const reading = readingOf(req.socket)
  const awaited = reading.awaited
  if (awaited && awaited.req === undefined && awaited.after === reading.last) awaited.req = req
  reading.last = req
  res.once('finish', () => {
    reading.answeredAt = monotonicMs()
  })
}

type AnsweringSocket = Duplex & { _httpMessage?: ServerResponse | null }

/** The answer being written on `socket` to a request read whole, if any. */
function answerToReadRequest(socket: Duplex): ServerResponse | undefined {
  const pending = (socket as AnsweringSocket)._httpMessage
  return pending && !pending.writableFinished && pending.req?.complete ? pending : undefined
}

export interface ReadDeadlines {
  /** For the head (read_header_timeout, else read_timeout); 0: none. */
  headMs: number
  /** For the whole request (read_timeout); 0: none. */
  wholeMs: number
}

/** Whether what `awaited` waits for has come (a head, and a body read whole). */
const arrived = (awaited: Awaited) => awaited.req?.complete === true

/**
 * For node:http's request timeout: true where Go's deadlines for the request being read have not
 * run out, because they run from the moment the answers before it were written (still being
 * written, or written less than a deadline ago); the connection is then cut if, by Go's deadlines,
 * the request's head has not come or its body is still being read. False: cut it now.
 */
export function timedOutBehindAnswers(
  error: NodeJS.ErrnoException,
  socket: Duplex,
  deadlines: ReadDeadlines,
): boolean {
  if (error.code !== 'ERR_HTTP_REQUEST_TIMEOUT') return false
  const reading = readingOf(socket)
  // node:http reports the request again at each check while Go's deadlines for it run here.
  if (reading.awaited && !arrived(reading.awaited)) return true
  const last = reading.last
  const bodyUnread = last !== undefined && !last.complete
  const ms = bodyUnread ? deadlines.wholeMs : deadlines.headMs || deadlines.wholeMs
  if (!answerToReadRequest(socket) && monotonicMs() - reading.answeredAt >= ms) return false
  const awaited: Awaited = bodyUnread ? { after: undefined, req: last } : { after: last, req: undefined }
  reading.awaited = awaited
  /** `final`: the last deadline, after which node:http's timing applies again. */
  const arm = (after: number, expired: () => boolean, final: boolean) => {
    const timer = setTimeout(
      () => {
        if (reading.awaited !== awaited) return
        if (expired()) socket.destroy()
        else if (final) reading.awaited = undefined
      },
      Math.max(0, reading.answeredAt + after - monotonicMs()),
    )
    timer.unref()
    socket.once('close', () => clearTimeout(timer))
  }
  const afterAnswers = () => {
    if (socket.destroyed || reading.awaited !== awaited) return
    const pending = answerToReadRequest(socket)
    if (pending) {
      pending.once('close', () => setImmediate(afterAnswers))
      return
    }
    const whole = deadlines.wholeMs > 0
    if (!bodyUnread && deadlines.headMs > 0) arm(deadlines.headMs, () => awaited.req === undefined, !whole)
    if (whole) arm(deadlines.wholeMs, () => !arrived(awaited), true)
  }
  afterAnswers()
  return true
}
