/**
 * `gwdeploy revoke` on kubernetes reaches each pod's auth/revoker through a pods/portforward
 * websocket to the API server. With that websocket held unanswered (an API server that stopped
 * answering), Ctrl-C (SIGTERM here) ends the command at once with exit 130; it used to wait for the
 * revoker calls' own 10 s timeout and then exit 6 (or 0), as if nothing had been asked to stop.
 */
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { exportJWK, generateKeyPair } from 'jose'
import { revokerGatewayConfig } from '../helpers/revoke-tool.ts'
import { type HoldingProxy, holdingProxy } from '../providers/kubernetes/holding-proxy.ts'
import { assertInterrupted, interruptWhenHeld } from '../providers/kubernetes/interrupt-when-held.ts'
import { makeRealKubeProject, type RealKubeProject, sha } from '../providers/kubernetes/real-project.ts'

describe('kubernetes against a real cluster: Ctrl-C while revoke waits for a port-forward', () => {
  let project: RealKubeProject
  let proxy: HoldingProxy

  before(async () => {
    const keys = await generateKeyPair('RS256')
    project = await makeRealKubeProject()
    await mkdir(join(project.dir, 'keys'))
    await writeFile(
      join(project.dir, 'keys', 'public.json'),
      JSON.stringify({
        keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }],
      }),
    )
    const config = revokerGatewayConfig({
      name: 'k8s',
      port: 1234,
      hashName: 'default',
      validator: { alg: 'RS256', jwk_local_path: 'keys/public.json', disable_jwk_security: true },
    })
    await writeFile(join(project.dir, 'gateway.json'), JSON.stringify(config))
    const first = await project.run(['release', '--sha', sha(1)])
    assert.equal(first.exitCode, 0, first.stderr)
    proxy = await holdingProxy(project.cluster.server, project.cluster.ca)
  })
  after(async () => {
    await proxy?.close()
    await project?.cleanup()
  })

  it('revoke: SIGTERM while the port-forward to a pod gets no answer is exit 130', async () => {
    const result = await interruptWhenHeld(project, proxy, ['revoke', 'jti=stolen'], (r) =>
      r.path.includes('/portforward'),
    )
    assertInterrupted(result)
    assert.doesNotMatch(result.stderr, /did not answer/)
  })
})
