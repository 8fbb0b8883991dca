/** A container's log as lines (`docker logs [--follow] --tail N --since T`), stdout and stderr together. */
import { PassThrough } from 'node:stream'
import type Dockerode from 'dockerode'
import { lastLines, splitLines } from '../logs/lines.ts'
import type { LogStreamOptions } from '../types.ts'
import { demux } from './docker-fleet.ts'

export async function* containerLogLines(
  container: Dockerode.Container,
  options: LogStreamOptions,
): AsyncGenerator<string> {
  const since = options.sinceMs !== undefined ? { since: Math.floor(options.sinceMs / 1000) } : {}
  const tail = options.lines > 0 ? options.lines : 'all'
  if (!options.follow) {
    const buffer = (await container.logs({
      stdout: true,
      stderr: true,
      tail,
      follow: false,
      ...since,
    } as Dockerode.ContainerLogsOptions & { follow: false })) as unknown as Buffer
    yield* lastLines(demux(buffer), 0)
    return
  }
  const raw = (await container.logs({
    stdout: true,
    stderr: true,
    tail,
    follow: true,
    ...since,
  } as Dockerode.ContainerLogsOptions & { follow: true })) as NodeJS.ReadableStream & { destroy(): void }
  const lines = new PassThrough()
  container.modem.demuxStream(raw, lines, lines)
  let stopped = false
  const stop = () => {
    stopped = true
    raw.destroy()
    lines.end()
  }
  raw.on('end', stop)
  raw.on('error', stop)
  options.signal?.addEventListener('abort', stop, { once: true })
  try {
    yield* splitLines(lines)
  } catch (error) {
    // Stopping tears the stream down mid-read: that is the end of following, not a failure.
    if (!stopped) throw error
  } finally {
    options.signal?.removeEventListener('abort', stop)
    stop()
  }
}
