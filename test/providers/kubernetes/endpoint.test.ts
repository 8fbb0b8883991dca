import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gwConfigSchema } from '../../../src/config/schema.ts'
import { serviceEndpoint } from '../../../src/providers/kubernetes/endpoint.ts'
import { liveServiceManifest, servicePatch } from '../../../src/providers/kubernetes/manifests.ts'
import { kubeSettings } from '../../../src/providers/kubernetes/settings.ts'

const service = (type: string, extra: { nodePort?: number; ingress?: object[]; port?: number } = {}) => ({
  metadata: { name: 'payments', namespace: 'edge' },
  spec: {
    type,
    ports: [
      { name: 'http', port: extra.port ?? 80, ...(extra.nodePort ? { nodePort: extra.nodePort } : {}) },
    ],
  },
  status: { loadBalancer: extra.ingress ? { ingress: extra.ingress } : {} },
})

test('LoadBalancer: the ingress IP or hostname from status, pending until the cloud sets it', () => {
  assert.deepEqual(serviceEndpoint(service('LoadBalancer', { ingress: [{ ip: '203.0.113.10' }] })), {
    url: 'http://203.0.113.10',
    note: 'LoadBalancer 203.0.113.10',
  })
  const named = serviceEndpoint(
    service('LoadBalancer', { port: 8443, ingress: [{ hostname: 'lb-1.elb.example.com' }] }),
  )
  assert.equal(named.url, 'http://lb-1.elb.example.com:8443')
  const pending = serviceEndpoint(service('LoadBalancer'))
  assert.equal(pending.url, 'http://payments.edge.svc')
  assert.match(pending.note, /pending/)
})

test('NodePort: the node port on every node; ClusterIP: the in-cluster name, said to be internal', () => {
  assert.deepEqual(serviceEndpoint(service('NodePort', { nodePort: 31234 })), {
    url: 'http://<node-ip>:31234',
    note: 'NodePort 31234 on every node',
  })
  const internal = serviceEndpoint(service('ClusterIP', { port: 8080 }))
  assert.equal(internal.url, 'http://payments.edge.svc:8080')
  assert.match(internal.note, /inside the cluster only/)
})

test('servicePatch: the selector alone, nothing when it matches, type and ports when the config changed', () => {
  const settings = (serviceType: string) =>
    kubeSettings(
      gwConfigSchema.parse({
        service: 'payments',
        image: { repository: 'registry.example.com/team/gateway' },
        provider: { kind: 'kubernetes', kubernetes: { serviceType } },
      }),
    )
  const clusterIp = liveServiceManifest(settings('ClusterIP'), 'blue')
  assert.equal(servicePatch(clusterIp, clusterIp, 'blue'), undefined)
  assert.deepEqual(servicePatch(clusterIp, clusterIp, 'green'), {
    spec: { selector: { 'gwdeploy.dev/colour': 'green' } },
  })
  // A server-allocated nodePort is not a difference; a new type is.
  const nodePort = liveServiceManifest(settings('NodePort'), 'green')
  const allocated = {
    spec: { ...nodePort.spec, ports: nodePort.spec.ports.map((p) => ({ ...p, nodePort: 31000 })) },
  }
  assert.equal(servicePatch(allocated, nodePort, 'green'), undefined)
  const loadBalancer = liveServiceManifest(settings('LoadBalancer'), 'green')
  assert.deepEqual(servicePatch(allocated, loadBalancer, 'green'), {
    spec: {
      type: 'LoadBalancer',
      ports: loadBalancer.spec.ports,
      selector: { 'gwdeploy.dev/colour': 'green' },
    },
  })
})
