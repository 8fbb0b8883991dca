/**
 * Where clients reach the live Service, per its type, read from the Service object itself (a
 * pure function of what the API server returns): the load balancer's ingress address, the node
 * port, or the cluster-internal DNS name with a note saying that it is internal.
 */
import { PORT_NAME } from './names.ts'

/** The parts of a V1Service this reads (plain JSON from the API server). */
export interface ServiceView {
  metadata?: { name?: string; namespace?: string }
  spec?: {
    type?: string
    ports?: Array<{ name?: string; port?: number; nodePort?: number }>
  }
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } }
}

export interface ServiceEndpoint {
  /** A URL clients can use, or the in-cluster one when the outside address is not known. */
  url: string
  /** What kind of address that is, for `status`. */
  note: string
}

const origin = (host: string, port: number) => `http://${host}${port === 80 ? '' : `:${port}`}`

export function serviceEndpoint(service: ServiceView): ServiceEndpoint {
  const name = service.metadata?.name ?? ''
  const namespace = service.metadata?.namespace ?? 'default'
  const port = service.spec?.ports?.find((p) => p.name === PORT_NAME) ?? service.spec?.ports?.[0]
  const servicePort = port?.port ?? 80
  const internal = origin(`${name}.${namespace}.svc`, servicePort)
  switch (service.spec?.type) {
    case 'LoadBalancer': {
      const ingress = service.status?.loadBalancer?.ingress?.find((i) => i.ip || i.hostname)
      const host = ingress?.ip ?? ingress?.hostname
      if (host) return { url: origin(host, servicePort), note: `LoadBalancer ${host}` }
      return {
        url: internal,
        note: 'LoadBalancer: external address pending (status.loadBalancer.ingress is empty); in-cluster name shown',
      }
    }
    case 'NodePort':
      if (port?.nodePort)
        return {
          url: `http://<node-ip>:${port.nodePort}`,
          note: `NodePort ${port.nodePort} on every node`,
        }
      return { url: internal, note: 'NodePort: no node port allocated yet; in-cluster name shown' }
    default:
      return {
        url: internal,
        note: 'ClusterIP: reachable inside the cluster only (use serviceType LoadBalancer or NodePort, or an Ingress, from outside)',
      }
  }
}
