import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { envelope } from '../helpers/cli.ts'
import { makeRealKubeProject, type RealKubeProject, sha } from '../providers/kubernetes/real-project.ts'

interface StatusResult {
  endpoint?: string
  router: { present: boolean; detail?: string }
}

// What `status` and `release` report as the endpoint, per serviceType, read from the Service the
// real API server returns: node ports allocated by it, a load balancer's ingress written to the
// status subresource the way a cloud controller does. A serviceType change in the config is
// applied with the next switch (one merge patch of type, ports and selector).
describe('kubernetes provider against a real cluster: the endpoint per serviceType', () => {
  let project: RealKubeProject
  before(async () => {
    project = await makeRealKubeProject()
    await project.writeConfig({ provider: { serviceType: 'LoadBalancer' } })
  })
  after(async () => {
    await project?.cleanup()
  })

  const status = async () => {
    const result = await project.run(['status', '--json'])
    assert.equal(result.exitCode, 0, result.stderr)
    return envelope(result).result as StatusResult
  }
  const live = () => project.get(`/api/v1/namespaces/${project.namespace}/services/${project.service}`)
  const setIngress = async (ingress: Array<{ ip?: string; hostname?: string }>) => {
    const answer = await project.cluster.call(
      'PATCH',
      `/api/v1/namespaces/${project.namespace}/services/${project.service}/status`,
      { status: { loadBalancer: { ingress } } },
      'application/merge-patch+json',
    )
    assert.equal(answer.status, 200, answer.body)
  }

  it('LoadBalancer: the in-cluster name while the address is pending, then the ingress IP or hostname', async () => {
    const release = await project.run(['release', '--sha', sha(1), '--json'])
    assert.equal(release.exitCode, 0, release.stderr)
    const internal = `http://${project.service}.${project.namespace}.svc`
    assert.equal((envelope(release).result as { endpoint: string }).endpoint, internal)
    assert.equal((await live()).spec.type, 'LoadBalancer')
    const pending = await status()
    assert.equal(pending.endpoint, internal)
    assert.match(pending.router.detail ?? '', /LoadBalancer: external address pending/)

    await setIngress([{ ip: '203.0.113.10' }])
    const ready = await status()
    assert.equal(ready.endpoint, 'http://203.0.113.10')
    assert.match(ready.router.detail ?? '', /selects blue; LoadBalancer 203\.0\.113\.10/)

    await setIngress([{ hostname: 'lb.example.test' }])
    assert.equal((await status()).endpoint, 'http://lb.example.test')
  })

  it('NodePort: a serviceType change is applied with the next switch; the endpoint names the node port', async () => {
    await project.writeConfig({ provider: { serviceType: 'NodePort', servicePort: 8000 } })
    const release = await project.run(['release', '--sha', sha(2), '--json'])
    assert.equal(release.exitCode, 0, release.stderr)
    const service = await live()
    assert.equal(service.spec.type, 'NodePort')
    assert.equal(service.spec.selector['gwdeploy.dev/colour'], 'green')
    assert.equal(service.spec.ports[0].port, 8000)
    const nodePort: number = service.spec.ports[0].nodePort
    assert.ok(nodePort >= 30_000 && nodePort <= 32_767, String(nodePort))
    assert.equal((envelope(release).result as { endpoint: string }).endpoint, `http://<node-ip>:${nodePort}`)
    assert.match((await status()).router.detail ?? '', new RegExp(`NodePort ${nodePort} on every node`))
  })

  it('ClusterIP: the in-cluster name, with a note that it is internal', async () => {
    await project.writeConfig()
    const rollback = await project.run(['rollback', '--json'])
    assert.equal(rollback.exitCode, 0, rollback.stderr)
    const service = await live()
    assert.equal(service.spec.type, 'ClusterIP')
    assert.equal(service.spec.ports[0].nodePort, undefined)
    const result = await status()
    assert.equal(result.endpoint, `http://${project.service}.${project.namespace}.svc`)
    assert.match(result.router.detail ?? '', /selects blue; ClusterIP: reachable inside the cluster only/)
  })
})
