import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from './prom-client.ts'

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

interface Series {
  inc(): void
  observe(seconds: number): void
}

/**
 * Prometheus metrics for one gateway process, in prom-client (lazy/metrics.cjs; metrics.ts holds
 * what a node records before it is loaded). Label children are cached per endpoint/backend and
 * status, so recording a request costs two array lookups and two prom-client updates.
 */
export class PromMetrics {
  readonly registry: Registry
  readonly #requests: Counter<'endpoint' | 'method' | 'status'>
  readonly #duration: Histogram<'endpoint' | 'method' | 'status'>
  readonly #backendRequests: Counter<'endpoint' | 'backend' | 'status'>
  readonly #backendDuration: Histogram<'endpoint' | 'backend' | 'status'>
  readonly #cache = new Map<string, Series[]>()

  constructor(name: string, version: string, options: { processMetrics?: boolean } = {}) {
    this.registry = new Registry()
    const registers = [this.registry]
    const info = new Gauge({
      name: 'gateway_info',
      help: 'The running gateway configuration (name) and runtime version',
      labelNames: ['name', 'version'],
      registers,
      aggregator: 'first',
    })
    info.set({ name, version }, 1)
    this.registry.setDefaultLabels({ name })
    this.#requests = new Counter({
      name: 'gateway_requests_total',
      help: 'Requests served, per endpoint, method and status',
      labelNames: ['endpoint', 'method', 'status'],
      registers,
    })
    this.#duration = new Histogram({
      name: 'gateway_request_duration_seconds',
      help: 'Time to serve a request, per endpoint, method and status',
      labelNames: ['endpoint', 'method', 'status'],
      buckets: BUCKETS,
      registers,
    })
    this.#backendRequests = new Counter({
      name: 'gateway_backend_requests_total',
      help: 'Backend calls, per endpoint, backend and status (0 = no HTTP response)',
      labelNames: ['endpoint', 'backend', 'status'],
      registers,
    })
    this.#backendDuration = new Histogram({
      name: 'gateway_backend_duration_seconds',
      help: 'Backend call duration, per endpoint, backend and status',
      labelNames: ['endpoint', 'backend', 'status'],
      buckets: BUCKETS,
      registers,
    })
    if (options.processMetrics !== false) {
      // prom-client counts CPU from its own start; Go's process collector (KrakenD's) from the
      // process's, and this node may have served for a while before loading it (metrics.ts).
      const used = process.cpuUsage()
      collectDefaultMetrics({ register: this.registry })
      const spent: Array<[string, number]> = [
        ['process_cpu_user_seconds_total', used.user],
        ['process_cpu_system_seconds_total', used.system],
        ['process_cpu_seconds_total', used.user + used.system],
      ]
      for (const [name, micros] of spent)
        (this.registry.getSingleMetric(name) as Counter<string>).inc(micros / 1e6)
    }
  }

  /** A recorder bound to one endpoint (label values fixed at startup). */
  endpoint(endpoint: string, method: string): (status: number, seconds: number) => void {
    const series = this.#series(`e\0${endpoint}\0${method}`)
    return (status, seconds) => {
      let s = series[status]
      if (s === undefined) {
        const labels = { endpoint, method, status: String(status) }
        const counter = this.#requests.labels(labels)
        const histogram = this.#duration.labels(labels)
        s = { inc: () => counter.inc(), observe: (v) => histogram.observe(v) }
        series[status] = s
      }
      s.inc()
      s.observe(seconds)
    }
  }

  backend(endpoint: string, backend: string): (status: number, seconds: number) => void {
    const series = this.#series(`b\0${endpoint}\0${backend}`)
    return (status, seconds) => {
      let s = series[status]
      if (s === undefined) {
        const labels = { endpoint, backend, status: String(status) }
        const counter = this.#backendRequests.labels(labels)
        const histogram = this.#backendDuration.labels(labels)
        s = { inc: () => counter.inc(), observe: (v) => histogram.observe(v) }
        series[status] = s
      }
      s.inc()
      s.observe(seconds)
    }
  }

  #series(key: string): Series[] {
    let series = this.#cache.get(key)
    if (!series) {
      series = []
      this.#cache.set(key, series)
    }
    return series
  }
}
