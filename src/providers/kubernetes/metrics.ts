/**
 * Reading the gateway's own Prometheus counters (src/gateway/metrics.ts) for the bake's error
 * ratio: a Service has no traffic counters of its own, so each pod's `/metrics` is scraped
 * through the API server's pod proxy and the request counters are summed.
 */
import type { TrafficSample } from '../types.ts'

/** The counter every gateway request increments, labelled with its HTTP status. */
export const REQUESTS_METRIC = 'gateway_requests_total'

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/** Requests and 5xx answers in one Prometheus text exposition (other metrics are ignored). */
export function trafficFromMetrics(text: string): TrafficSample {
  const sample: TrafficSample = { requests: 0, errors: 0 }
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line)
    if (!match || match[1] !== REQUESTS_METRIC) continue
    const value = Number(match[3])
    if (!Number.isFinite(value)) continue
    let status = 0
    for (const [, name, raw] of (match[2] ?? '').matchAll(LABEL_PAIR))
      if (name === 'status') status = Number(raw)
    sample.requests += value
    if (status >= 500) sample.errors += value
  }
  return sample
}

export function addTraffic(a: TrafficSample, b: TrafficSample): TrafficSample {
  return { requests: a.requests + b.requests, errors: a.errors + b.errors }
}
