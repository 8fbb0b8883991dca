// Prometheus metrics (prom-client and the gateway's series), loaded only when a node serves metrics
// (--metrics-port, runtime.metrics_port): a node without them neither parses nor runs prom-client.
export { GatewayMetrics } from '../metrics.ts'
export { AggregatorRegistry } from '../prom-client.ts'
