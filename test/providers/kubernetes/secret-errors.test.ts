import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type * as k8s from '@kubernetes/client-node'
import { formatError } from '../../../src/core/errors.ts'
import {
  missingSecret,
  missingSecretError,
  readsSecrets,
} from '../../../src/providers/kubernetes/secret-errors.ts'

// The kubelet's messages for a container it cannot configure (pkg/kubelet/kubelet_pods.go).
const waiting = (name: string, reason: string, message: string): k8s.V1Pod => ({
  metadata: { name },
  status: {
    containerStatuses: [{ name: 'gateway', state: { waiting: { reason, message } } }],
  } as k8s.V1PodStatus,
})

const settings = {
  env: {
    PLAIN: 'x',
    API_KEY: { secretKeyRef: { name: 'gw-secrets', key: 'api' } },
    SIGNING: { secretKeyRef: { name: 'gw-secrets', key: 'signing' } },
  },
  envFrom: [{ secret: 'gw-more' }, { secret: 'gw-secrets' }],
}

describe('kubernetes: a missing Secret or key is a configuration error naming gwdeploy.yml', () => {
  it('a missing key names only the fleet.env entry reading that key', () => {
    const pods = [
      waiting('gw-green-1', 'ContainerCreating', ''),
      waiting(
        'gw-green-2',
        'CreateContainerConfigError',
        "couldn't find key signing in Secret ns1/gw-secrets",
      ),
    ]
    const missing = missingSecret(pods)
    assert.deepEqual(missing, { secret: 'gw-secrets', key: 'signing', pod: 'gw-green-2' })
    const error = missingSecretError(settings, 'ns1', missing as NonNullable<typeof missing>)
    assert.equal(error?.exitCode, 2)
    assert.deepEqual(error?.location, { file: 'gwdeploy.yml', path: 'fleet.env.SIGNING.secretKeyRef' })
    assert.match(
      error?.message ?? '',
      /^fleet\.env\.SIGNING\.secretKeyRef: Secret ns1\/gw-secrets has no key "signing"/,
    )
    assert.match(error?.hint ?? '', /Traffic was not touched/)
  })

  it('a missing Secret names every key that reads it (env and envFrom)', () => {
    for (const message of ['secret "gw-secrets" not found', 'secrets "gw-secrets" not found']) {
      const missing = missingSecret([waiting('p', 'CreateContainerConfigError', message)])
      assert.deepEqual(missing, { secret: 'gw-secrets', pod: 'p' })
      const error = missingSecretError(settings, 'ns1', missing as NonNullable<typeof missing>)
      const text = formatError(error as NonNullable<typeof error>)
      assert.match(
        text,
        /fleet\.env\.API_KEY\.secretKeyRef, fleet\.env\.SIGNING\.secretKeyRef, fleet\.envFrom\[1\]\.secret: Secret ns1\/gw-secrets does not exist/,
      )
      assert.match(text, /kubectl create secret generic gw-secrets -n ns1/)
    }
  })

  it('transient or unrelated waits are left to the rollout', () => {
    assert.equal(
      missingSecret([
        waiting(
          'p',
          'CreateContainerConfigError',
          'failed to sync secret cache: timed out waiting for the condition',
        ),
        waiting('q', 'ImagePullBackOff', 'secret "x" not found'),
      ]),
      undefined,
    )
    const other = missingSecret([waiting('p', 'CreateContainerConfigError', 'secret "not-ours" not found')])
    assert.equal(missingSecretError(settings, 'ns1', other as NonNullable<typeof other>), undefined)
  })

  it('only pods that read Secrets are watched', () => {
    assert.equal(readsSecrets(settings), true)
    assert.equal(readsSecrets({ env: { A: 'plain' }, envFrom: [] }), false)
    assert.equal(readsSecrets({ env: {}, envFrom: [{ secret: 's' }] }), true)
  })
})
