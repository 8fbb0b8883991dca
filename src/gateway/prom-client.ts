// The parts of prom-client the gateway uses, imported by path. The package's index also loads the
// Pushgateway (https, tls, crypto, zlib) and Summary (t-digest): start-up time and resident memory in
// every worker, none of it used here.
import AggregatorRegistry from 'prom-client/lib/cluster.js'
import Counter from 'prom-client/lib/counter.js'
import collectDefaultMetrics from 'prom-client/lib/defaultMetrics.js'
import Gauge from 'prom-client/lib/gauge.js'
import Histogram from 'prom-client/lib/histogram.js'
import Registry from 'prom-client/lib/registry.js'

export { AggregatorRegistry, Counter, collectDefaultMetrics, Gauge, Histogram, Registry }
