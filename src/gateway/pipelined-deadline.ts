// Go's server starts a request's read deadlines when it begins reading that request: after the
// answers to the requests before it on the connection are written. node:http times a request from
// its first byte parsed, and parses pipelined requests while earlier answers are still being made:
// with read_timeout 1 s, a request to a 1.5 s endpoint followed by the start of another lost the
// connection at 1 s (or at node:http's next check), the answers under way and queued with it.
import type { ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'

interface Reading {
  /** Requests node:http handed over (their heads were read). */
  read: number
  /** When the last answer was written (performance.now()). */
  answeredAt: number
  /** Go's deadlines run here for the request being read (node:http reports it again at each check). */
  deadlines: boolean
}

const readings = new WeakMap<Duplex, Reading>()

const readingOf = (socket: Duplex): Reading => {
  let reading = readings.get(socket)
  if (!reading) {
    reading = { read: 0, answeredAt: 0, deadlines: false }
    readings.set(socket, reading)
  }
  return reading
}

/** Counts a request node:http handed over on `socket`, and notes when its answer is written. */
export function countRequestRead(socket: Duplex, res: ServerResponse): void {
  const reading = readingOf(socket)
  reading.read += 1
  res.once('finish', () => {
    reading.answeredAt = performance.now()
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

/**
 * For node:http's request timeout: true where Go's deadlines for the request being read have not
 * run out, because they run from the moment the answers before it were written (still being
 * written, or written less than a deadline ago); the connection is then cut if, by Go's deadline,
 * the request's head has not come or its body is still being read. False: cut it now.
 */
export function timedOutBehindAnswers(
  error: NodeJS.ErrnoException,
  socket: Duplex,
  deadlines: ReadDeadlines,
): boolean {
  if (error.code !== 'ERR_HTTP_REQUEST_TIMEOUT') return false
  const reading = readingOf(socket)
  if (reading.deadlines) return true
  const longest = Math.max(deadlines.headMs, deadlines.wholeMs)
  if (!answerToReadRequest(socket) && performance.now() - reading.answeredAt >= longest) return false
  reading.deadlines = true
  const read = reading.read
  const bodyUnread = () => (socket as AnsweringSocket)._httpMessage?.req?.complete === false
  const headAwaited = () => reading.read === read && !bodyUnread()
  const arm = (ms: number, expired: () => boolean) => {
    if (ms <= 0) return
    const timer = setTimeout(
      () => {
        if (expired()) socket.destroy()
        else if (ms === longest) reading.deadlines = false
      },
      Math.max(0, reading.answeredAt + ms - performance.now()),
    )
    timer.unref()
    socket.once('close', () => clearTimeout(timer))
  }
  const afterAnswers = () => {
    if (socket.destroyed) return
    const pending = answerToReadRequest(socket)
    if (pending) {
      pending.once('close', () => setImmediate(afterAnswers))
      return
    }
    arm(deadlines.headMs, headAwaited)
    arm(deadlines.wholeMs, () => headAwaited() || bodyUnread())
  }
  afterAnswers()
  return true
}
