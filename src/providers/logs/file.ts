/**
 * A log file as lines: its last N lines, then (following) what gets appended, polled every
 * 200 ms. A file that shrinks was truncated or replaced: reading starts again from its start.
 */
import { open, stat } from 'node:fs/promises'
import type { LogStreamOptions } from '../types.ts'
import { lastLines, pause } from './lines.ts'

/** How much of a file's end is read for its last lines. */
const TAIL_WINDOW = 4 * 1024 * 1024
const POLL_MS = 200

async function readRange(file: string, start: number, end: number): Promise<Buffer> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(end - start)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

const sizeOf = async (file: string): Promise<number | undefined> => {
  try {
    return (await stat(file)).size
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

export async function* fileLogLines(file: string, options: LogStreamOptions): AsyncGenerator<string> {
  const size = (await sizeOf(file)) ?? 0
  const start = Math.max(0, size - TAIL_WINDOW)
  let bytes = await readRange(file, start, size)
  // A window that starts mid-file starts mid-line: drop that cut line.
  if (start > 0) bytes = bytes.subarray(bytes.indexOf(10) + 1)
  // Following: an unfinished last line is read again, complete, by the polling loop.
  const end = options.follow ? bytes.lastIndexOf(10) + 1 : bytes.length
  let offset = size - (bytes.length - end)
  yield* lastLines(bytes.subarray(0, end).toString('utf8'), options.lines)
  if (!options.follow) return
  let partial = ''
  while (await pause(POLL_MS, options.signal)) {
    const current = await sizeOf(file)
    if (current === undefined) continue
    if (current < offset) {
      offset = 0
      partial = ''
    }
    if (current === offset) continue
    const text = partial + (await readRange(file, offset, current)).toString('utf8')
    offset = current
    const complete = text.lastIndexOf('\n') + 1
    partial = text.slice(complete)
    if (complete > 0) yield* lastLines(text.slice(0, complete), 0)
  }
}
