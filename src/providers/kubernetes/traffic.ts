/** The bake's traffic counters of a colour: each pod's gateway `/metrics`, scraped through the pod proxy. */
import type { Colour, TrafficSample } from '../types.ts'
import type { KubeApi } from './api.ts'
import { addTraffic, trafficFromMetrics } from './metrics.ts'

/**
 * Requests and 5xx answers of a colour's pods, summed from each gateway's own counters. A pod
 * that cannot be scraped right now (stopping, not started) is left out: its health is the
 * bake's other check, and one missed scrape must not fail a release. A scrape stopped by
 * `api.signal` (the run's interrupt) is a stop, not a missed scrape.
 */
export async function colourTraffic(
  api: KubeApi,
  colour: Colour,
  metricsPort: number,
): Promise<TrafficSample> {
  const deployment = await api.readDeployment(colour)
  if (!deployment) return { requests: 0, errors: 0 }
  const client = await api.client()
  const samples = await Promise.all(
    (await api.pods(deployment, colour)).map(async (pod) => {
      try {
        const text = await client.core.connectGetNamespacedPodProxyWithPath({
          // Pod proxies take a port number (unlike service proxies, no port names).
          name: `${pod.metadata?.name}:${metricsPort}`,
          namespace: api.ns,
          path: 'metrics',
        })
        return trafficFromMetrics(text)
      } catch {
        if (api.signal?.aborted) throw api.signal.reason
        return { requests: 0, errors: 0 }
      }
    }),
  )
  return samples.reduce(addTraffic, { requests: 0, errors: 0 })
}
