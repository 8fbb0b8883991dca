// undici (8.12) fails a kept-alive answer whose body it paused for back pressure when the backend
// closes the connection right after sending it: its socket 'end' handler destroys the socket
// ("other side closed") with the end of the body still unparsed, since it drives a paused parser
// through what the socket holds only for an answer without keep-alive. Go's transport reads such
// a body to its end (KrakenD streams a no-op answer whole; here an h2c client reading at its flow
// control's pace got 130-190 KB of 200 KB). The paused parser is driven to the end of what the
// socket holds before undici's handler runs: a whole body completes, a truncated one still fails.
import type { Socket } from 'node:net'

interface UndiciParser {
  paused: boolean
  statusCode: number
  shouldKeepAlive: boolean
  /** Resumes a paused parser through the socket's buffered bytes, then ends the message (undici's). */
  finish(): unknown
}

let parserKey: symbol | undefined

function parserOf(socket: Socket): UndiciParser | undefined {
  parserKey ??= Object.getOwnPropertySymbols(socket).find((key) => key.description === 'parser')
  return parserKey === undefined ? undefined : (socket as unknown as Record<symbol, UndiciParser>)[parserKey]
}

/** Registers, before undici's own, the 'end' handler that finishes a paused kept-alive answer. */
export function finishingPausedAnswers(socket: Socket): void {
  socket.on('end', () => {
    const parser = parserOf(socket)
    if (parser?.paused && parser.statusCode && parser.shouldKeepAlive) parser.finish()
  })
}
