/** Turning byte streams and text into log lines, shared by every provider's `streamLogs`. */
import { setTimeout as delay } from 'node:timers/promises'

/** Splits chunks into lines (without the newline; a trailing `\r` dropped); a last partial line is yielded at the end. */
export async function* splitLines(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  // Streaming decode: a UTF-8 character split across two chunks is decoded whole.
  const decoder = new TextDecoder()
  let rest = ''
  for await (const chunk of chunks) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
    let newline = rest.indexOf('\n')
    while (newline >= 0) {
      yield rest.slice(0, newline).replace(/\r$/, '')
      rest = rest.slice(newline + 1)
      newline = rest.indexOf('\n')
    }
  }
  rest += decoder.decode()
  if (rest !== '') yield rest.replace(/\r$/, '')
}

/** The non-empty lines of a text, the last `count` of them (all when count is 0). */
export function lastLines(text: string, count: number): string[] {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''))
  if (lines.at(-1) === '') lines.pop()
  return count > 0 ? lines.slice(-count) : lines
}

/** Waits `ms`; false when the signal aborted first (the caller stops following). */
export async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return false
  try {
    await delay(ms, undefined, signal ? { signal } : {})
    return true
  } catch {
    return false
  }
}
