import { open } from 'node:fs/promises'
import { resolve } from 'node:path'

/** The last `lines` lines of a log file (read from its last 64 KiB); '' when it cannot be read. */
export async function tail(file: string, lines: number): Promise<string> {
  try {
    const handle = await open(resolve(file), 'r')
    try {
      const { size } = await handle.stat()
      const length = Math.min(size, 64 * 1024)
      const buffer = Buffer.alloc(length)
      await handle.read(buffer, 0, length, size - length)
      return buffer.toString('utf8').split('\n').filter(Boolean).slice(-lines).join('\n')
    } finally {
      await handle.close()
    }
  } catch {
    return ''
  }
}
