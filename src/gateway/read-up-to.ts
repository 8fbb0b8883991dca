import type { Readable } from 'node:stream'

/**
 * The stream's first bytes, until more than `limit` arrived or it ended. A stream that fails ends
 * what was read, as Go sends what its handler wrote before io.Copy failed.
 */
export function readUpTo(
  stream: Readable,
  limit: number,
  failed: (error: Error) => void,
): Promise<{ chunks: Buffer[]; size: number; ended: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    const settle = (ended: boolean) => {
      stream.off('readable', onReadable)
      stream.off('end', onEnd)
      stream.off('error', onError)
      resolve({ chunks, size, ended })
    }
    const onReadable = () => {
      while (size <= limit) {
        const chunk: Buffer | null = stream.read()
        if (chunk === null) break
        chunks.push(chunk)
        size += chunk.length
      }
      if (size > limit) settle(false)
    }
    const onEnd = () => settle(true)
    const onError = (error: Error) => {
      failed(error)
      settle(true)
    }
    stream.on('readable', onReadable)
    stream.once('end', onEnd)
    stream.once('error', onError)
  })
}
