// Prometheus metrics (prom-client and the gateway's series), loaded only when a node serves metrics
// (--metrics-port, runtime.metrics_port): a node without them neither parses nor runs prom-client.
import { GatewayMetrics as Recording } from '../metrics.ts'
import { PromMetrics } from '../metrics-prom.ts'

export { AggregatorRegistry } from '../prom-client.ts'
export { PromMetrics }

/** Metrics whose prom-client is this file's own (createGateway's `metrics: true`). */
export class GatewayMetrics extends Recording {
  constructor(name: string, version: string, options: { processMetrics?: boolean } = {}) {
    super(name, version, options, () => PromMetrics)
  }
}
