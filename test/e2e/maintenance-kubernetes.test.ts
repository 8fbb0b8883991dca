/**
 * Kubernetes routes by Service selector: nothing in that router can answer with a page, so the
 * maintenance switch refuses with exit 2 and says why, before touching the cluster (real cluster,
 * as the shipped Role's ServiceAccount).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { envelope } from '../helpers/cli.ts'
import { makeRealKubeProject, type RealKubeProject } from '../providers/kubernetes/real-project.ts'

describe('kubernetes: maintenance is refused (exit 2) with the reason', () => {
  let project: RealKubeProject
  before(async () => {
    project = await makeRealKubeProject()
    await project.writeConfig({})
  })
  after(async () => {
    await project?.cleanup()
  })

  it('on and off exit 2 naming the Service selector and what to do instead; status has no maintenance', async () => {
    for (const args of [
      ['maintenance', 'on'],
      ['maintenance', 'off'],
    ]) {
      const result = await project.run(args)
      assert.equal(result.exitCode, 2, result.stderr)
      assert.match(result.stderr, /kubernetes: gwdeploy cannot serve a maintenance page here/)
      assert.match(result.stderr, /switching the Service selector/)
      assert.match(result.stderr, /Ingress or Gateway controller/)
    }
    const status = await project.run(['status', '--json'])
    assert.equal(status.exitCode, 0, status.stderr)
    assert.equal('maintenance' in (envelope(status).result as object), false)
  })
})
