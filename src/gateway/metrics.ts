// A gateway process's Prometheus metrics. prom-client (lazy/metrics.cjs, metrics-prom.ts) costs a
// node about 10 ms of start-up, so a node can serve before loading it (load(), runtime.ts): what it
// records meanwhile is kept and replayed into prom-client when it loads, so every request counts
// from the first one. Reading the registry loads it.
import { metricsLibrary } from './libraries.ts'
import type { PromMetrics } from './metrics-prom.ts'
import type { Registry } from './prom-client.ts'

type Record = (status: number, seconds: number) => void

export class GatewayMetrics {
  readonly #name: string
  readonly #version: string
  readonly #options: { processMetrics?: boolean }
  readonly #library: () => typeof PromMetrics
  #prom: PromMetrics | undefined
  /** What was recorded before prom-client loaded, in order. */
  #pending: Array<(prom: PromMetrics) => void> = []

  /** `library`: where PromMetrics comes from (default lazy/metrics.cjs). */
  constructor(
    name: string,
    version: string,
    options: { processMetrics?: boolean } = {},
    library: () => typeof PromMetrics = () => metricsLibrary().PromMetrics,
  ) {
    this.#name = name
    this.#version = version
    this.#options = options
    this.#library = library
  }

  /** prom-client's registry (loads it). */
  get registry(): Registry {
    return this.load().registry
  }

  /** Loads prom-client, once, with what was recorded so far. */
  load(): PromMetrics {
    if (this.#prom) return this.#prom
    const prom = new (this.#library())(this.#name, this.#version, this.#options)
    this.#prom = prom
    for (const record of this.#pending) record(prom)
    this.#pending = []
    return prom
  }

  /** A recorder bound to one endpoint (label values fixed at startup). */
  endpoint(endpoint: string, method: string): Record {
    return this.#recorder((prom) => prom.endpoint(endpoint, method))
  }

  backend(endpoint: string, backend: string): Record {
    return this.#recorder((prom) => prom.backend(endpoint, backend))
  }

  #recorder(bind: (prom: PromMetrics) => Record): Record {
    let bound: Record | undefined
    return (status, seconds) => {
      if (bound !== undefined) return bound(status, seconds)
      if (this.#prom !== undefined) {
        bound = bind(this.#prom)
        return bound(status, seconds)
      }
      this.#pending.push((prom) => bind(prom)(status, seconds))
    }
  }
}
