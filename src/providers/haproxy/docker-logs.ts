/**
 * A container's log as lines (`docker logs [--follow] --tail N --since T`), stdout and stderr
 * together; and its tail behind its state, for a node that failed.
 */
import { PassThrough } from 'node:stream'
import type Dockerode from 'dockerode'
import { lastLines, splitLines } from '../logs/lines.ts'
import type { LogStreamOptions } from '../types.ts'

/** Sends one bounded Docker request (docker-calls.ts): the run's signal and the request timeout end it. */
export type BoundedCall = <T>(what: string, request: (abortSignal: AbortSignal) => Promise<T>) => Promise<T>

/** The container's state line, then its last log lines (a node killed early may have logged nothing). */
export async function containerLogTail(
  container: Dockerode.Container,
  node: { id: string; meta?: Record<string, string | number> | undefined },
  lines: number,
  call: BoundedCall,
): Promise<string> {
  const { State: state } = await call('inspecting', (abortSignal) => container.inspect({ abortSignal }))
  const facts = [
    state.Status,
    `exit code ${state.ExitCode}`,
    state.OOMKilled ? 'OOM killed' : '',
    state.Error,
  ]
  const output = (await call('reading the log of', (abortSignal) =>
    container.logs({ stdout: true, stderr: true, tail: lines, follow: false, abortSignal }),
  )) as unknown as Buffer
  const header = `[container ${node.id} on ${node.meta?.host ?? '?'}: ${facts.filter(Boolean).join(', ')}]`
  return [header, demux(output).trimEnd()].filter(Boolean).join('\n')
}

export async function* containerLogLines(
  container: Dockerode.Container,
  options: LogStreamOptions,
  call: BoundedCall,
): AsyncGenerator<string> {
  const since = options.sinceMs !== undefined ? { since: Math.floor(options.sinceMs / 1000) } : {}
  const tail = options.lines > 0 ? options.lines : 'all'
  if (!options.follow) {
    const buffer = (await call('reading the log of', (abortSignal) =>
      container.logs({
        stdout: true,
        stderr: true,
        tail,
        follow: false,
        ...since,
        abortSignal,
      } as Dockerode.ContainerLogsOptions & { follow: false }),
    )) as unknown as Buffer
    yield* lastLines(demux(buffer), 0)
    return
  }
  // Bounded until the stream starts; then the run's signal (Ctrl-C) ends it.
  const raw = (await call('following the log of', (abortSignal) =>
    container.logs({
      stdout: true,
      stderr: true,
      tail,
      follow: true,
      ...since,
      abortSignal,
    } as Dockerode.ContainerLogsOptions & { follow: true }),
  )) as NodeJS.ReadableStream & { destroy(): void }
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

/** Docker's multiplexed log stream (8-byte frame headers) as text. */
export function demux(buffer: Buffer): string {
  const parts: string[] = []
  let offset = 0
  while (offset + 8 <= buffer.length && buffer[offset + 1] === 0 && (buffer[offset] ?? 9) <= 2) {
    const size = buffer.readUInt32BE(offset + 4)
    parts.push(buffer.subarray(offset + 8, offset + 8 + size).toString('utf8'))
    offset += 8 + size
  }
  return offset === 0 ? buffer.toString('utf8') : parts.join('')
}
