/**
 * Milliseconds on a monotonic clock, for durations (access log, metrics, rate-limit buckets). Not
 * performance.now(): the first read of the global `performance` loads node:perf_hooks (user timing,
 * histograms, event-loop delay), about 0.3 MB of every worker from its first request, health checks
 * included.
 */
export function monotonicMs(): number {
  const [seconds, nanoseconds] = process.hrtime()
  return seconds * 1e3 + nanoseconds / 1e6
}
