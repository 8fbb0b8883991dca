import type { Readable, Writable } from 'node:stream'

/**
 * `source` piped into `sink` as stream.pipeline pipes two streams (an error or an early close of
 * either destroys the other), resolving with the error once the sink has finished or closed.
 * pipeline itself aborts an AbortController when it settles, and that abort builds a DOMException
 * with its stack: about 8% of a no-op request's CPU.
 */
export function pump(source: Readable, sink: Writable): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let settled = false
    const settle = (error?: Error) => {
      if (settled) return
      settled = true
      sink.off('finish', onFinish)
      sink.off('close', onClose)
      if (error) {
        source.destroy()
        sink.destroy()
      }
      resolve(error)
    }
    // kept after settling: a later error of either stream must not go unhandled
    const onError = (error: Error) => settle(error)
    const onFinish = () => settle()
    const onClose = () => settle(sink.writableFinished ? undefined : new Error('Premature close'))
    source.on('error', onError)
    sink.on('error', onError)
    sink.once('finish', onFinish)
    sink.once('close', onClose)
    source.pipe(sink)
  })
}
