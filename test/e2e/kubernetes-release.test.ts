import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { envelope } from '../helpers/cli.ts'
import { type KubeProject, makeKubeProject, sha } from '../providers/kubernetes/project.ts'

// release -> rollback -> retire through the CLI against the fake API server; pods are real
// containers of the image gwdeploy built and pushed.
describe('kubernetes provider: release, rollback, retire (CLI subprocess, fake API server)', () => {
  let project: KubeProject
  before(async () => {
    project = await makeKubeProject()
  })
  after(async () => {
    await project?.cleanup()
  })

  const liveColour = () => project.api.get('services', project.namespace, project.service)?.spec.selector['gwdeploy.dev/colour']
  const name = (n: number) => `${project.service} rev-${sha(n).slice(0, 7)}`

  it('releases the first SHA onto blue by image digest, behind the live Service', async () => {
    const result = await project.run(['release', '--sha', sha(1), '--json'])
    assert.equal(result.exitCode, 0, result.stderr + result.stdout)
    const out = envelope(result).result as { status: string; colour: string; configName: string }
    assert.equal(out.status, 'released')
    assert.equal(out.colour, 'blue')
    assert.equal(out.configName, name(1))
    const deployment = project.api.get('deployments', project.namespace, `${project.service}-blue`)
    assert.match(deployment.spec.template.spec.containers[0].image, new RegExp(`^${project.repository}@sha256:[0-9a-f]{64}$`))
    assert.equal(deployment.metadata.labels['gwdeploy.dev/sha'], sha(1))
    assert.equal(liveColour(), 'blue')
  })
})
