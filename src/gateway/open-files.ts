import { readdirSync, readFileSync } from 'node:fs'

/**
 * Out of file descriptors, libuv accepts and closes pending connections itself (clients see
 * resets) and node:cluster's primary drops failed accepts silently: nothing reports EMFILE. This
 * watches the descriptors in use (Linux /proc) once a second and reports when 80% of the soft
 * limit is reached, at most every 10 s. `busy` gates the check (a cheap count first).
 */
export function watchOpenFiles(
  report: (message: string) => void,
  busy: (limit: number) => boolean = () => true,
): () => void {
  const limit = openFilesLimit()
  if (limit === undefined) return () => {}
  let last = 0
  const timer = setInterval(() => {
    if (!busy(limit)) return
    const used = openFiles(limit)
    const now = Date.now()
    // 80%: a cluster worker receives connections in batches and drops them well before the limit.
    if (used === undefined || used < limit * 0.8 || now - last < 10_000) return
    last = now
    report(
      used >= limit - 1
        ? `EMFILE: out of file descriptors (${used} of ${limit} in use): new connections are refused; raise the open-files limit (ulimit -n)`
        : `EMFILE ahead: ${used} of ${limit} file descriptors in use: new connections are refused when the limit is reached; raise the open-files limit (ulimit -n)`,
    )
  }, 1000)
  timer.unref()
  return () => clearInterval(timer)
}

/** File descriptors this process has open, or undefined. At the limit, the limit itself. */
function openFiles(limit: number): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length
  } catch (error) {
    // Listing the descriptors needs one more: failing with EMFILE is the answer.
    return (error as NodeJS.ErrnoException).code === 'EMFILE' ? limit : undefined
  }
}

/** The soft open-files limit of this process, or undefined. */
function openFilesLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'))
    const soft = line ? Number(line.split(/\s{2,}/)[1]) : Number.NaN
    return Number.isFinite(soft) && soft > 0 ? soft : undefined
  } catch {
    return undefined
  }
}
