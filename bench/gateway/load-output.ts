// What a bounded wrk or h2load run printed, read into figures; a run with failed or non-2xx answers
// throws, so no figure is ever taken from errors.

export interface LoadFigures {
  rps: number
  /** Completed requests. */
  requests: number
  /** wrk's 99th percentile (ms); NaN for h2load, which prints no percentiles. */
  p99ms: number
}

/** wrk's latency text ("812.00us", "1.20ms", "2.01s") in milliseconds. */
export const wrkLatencyMs = (text: string): number => {
  const m = /([\d.]+)(us|ms|s)$/.exec(text.trim())
  if (!m) return Number.NaN
  const n = Number(m[1])
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n
}

/** Figures of `wrk --latency` (p99 is NaN without `--latency`). */
export function readWrk(url: string, stdout: string): LoadFigures {
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout)
  if (non2xx) throw new Error(`${url}: ${non2xx[1]} non-2xx responses`)
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]),
    requests: Number(/(\d+) requests in/.exec(stdout)?.[1]),
    p99ms: wrkLatencyMs(/^\s+99%\s+(\S+)/m.exec(stdout)?.[1] ?? ''),
  }
}

/** Figures of an h2load run. */
export function readH2load(url: string, stdout: string): LoadFigures {
  const failed = Number(/(\d+) failed/.exec(stdout)?.[1] ?? 0)
  const codes = /status codes: \d+ 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(stdout)
  const non2xx = codes ? Number(codes[1]) + Number(codes[2]) + Number(codes[3]) : 0
  if (failed > 0 || non2xx > 0) throw new Error(`${url}: ${failed} failed, ${non2xx} non-2xx h2 requests`)
  return {
    rps: Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(stdout)?.[1]),
    requests: Number(/requests: \d+ total, \d+ started, (\d+) done/.exec(stdout)?.[1]),
    p99ms: Number.NaN,
  }
}
