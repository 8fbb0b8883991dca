import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { test } from 'node:test'
import { gwConfigSchema } from '../../../src/config/schema.ts'
import { deploymentManifest, renderDocuments } from '../../../src/providers/kubernetes/manifests.ts'
import { rolloutState } from '../../../src/providers/kubernetes/rollout.ts'
import { kubeSettings } from '../../../src/providers/kubernetes/settings.ts'
import type { FleetSpec } from '../../../src/providers/types.ts'

const GOLDEN = new URL('./golden/', import.meta.url)

function settings(kubernetes: Record<string, unknown>) {
  return kubeSettings(
    gwConfigSchema.parse({
      service: 'payments',
      image: { repository: 'registry.example.com/team/gateway' },
      provider: { kind: 'kubernetes', kubernetes },
    }),
  )
}

const spec: FleetSpec = {
  service: 'payments',
  env: 'production',
  colour: 'green',
  size: 3,
  port: 8080,
  healthPath: '/__health',
  artifact: {
    sha: '0123456789abcdef0123456789abcdef01234567',
    sha7: '0123456',
    configName: 'payments rev-0123456',
    configDigest: `sha256:${'a'.repeat(64)}`,
    configText: '{}',
    image: `registry.example.com/team/gateway@sha256:${'b'.repeat(64)}`,
  },
}

/** Compares with the golden file; GWDEPLOY_UPDATE_GOLDEN=1 rewrites it. */
async function golden(name: string, text: string) {
  const file = new URL(name, GOLDEN)
  if (process.env.GWDEPLOY_UPDATE_GOLDEN === '1') await writeFile(file, text)
  assert.equal(text, await readFile(file, 'utf8'))
}

const asText = (docs: ReturnType<typeof renderDocuments>) =>
  docs.map((d) => `# ${d.title}\n---\n${d.content}`).join('')

test('defaults: Deployment (digest, probes, drain, labels), preview and live Services', async () => {
  await golden('defaults.yaml', asText(renderDocuments(spec, settings({}))))
})

test('every optional key: replicas, resources, scheduling, pull secrets, names, metadata, a revoker port', async () => {
  const docs = renderDocuments(
    { ...spec, artifact: { ...spec.artifact, revokerPort: 1234 } },
    settings({
      namespace: 'edge',
      replicas: 4,
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gateway', effect: 'NoSchedule' }],
      imagePullSecrets: ['registry-pull'],
      serviceAccountName: 'gateway',
      service: 'payments-gw',
      servicePort: 8443,
      serviceType: 'LoadBalancer',
      previewService: 'payments-gw-next',
      labels: { team: 'edge' },
      annotations: { 'example.com/owner': 'edge-team' },
      progressDeadline: '5m',
      drainGrace: '10s',
      drainTimeout: '1m',
    }),
  )
  await golden('full.yaml', asText(docs))
})

test('names that cannot name Kubernetes objects are a configuration error (exit 2)', () => {
  assert.throws(
    () =>
      kubeSettings(
        gwConfigSchema.parse({
          service: 'p'.repeat(55),
          image: { repository: 'r.example.com/x' },
          provider: { kind: 'kubernetes', kubernetes: {} },
        }),
      ),
    (error: Error & { exitCode?: number }) =>
      error.exitCode === 2 && /provider\.kubernetes\.service/.test(error.message),
  )
})

test("rollout state follows kubectl's rule", () => {
  const base = { metadata: { generation: 2 }, spec: { replicas: 2 } }
  assert.equal(rolloutState({ ...base, status: { observedGeneration: 1 } }).done, false)
  const deadline = rolloutState({
    ...base,
    status: {
      observedGeneration: 2,
      conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }],
    },
  })
  assert.equal(deadline.done === false && deadline.failed, true)
  assert.match(
    rolloutState({ ...base, status: { observedGeneration: 2, updatedReplicas: 1 } }).message,
    /1 of 2 updated/,
  )
  assert.match(
    rolloutState({ ...base, status: { observedGeneration: 2, updatedReplicas: 2, replicas: 3 } }).message,
    /old replicas are pending termination/,
  )
  assert.match(
    rolloutState({
      ...base,
      status: { observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 1 },
    }).message,
    /1 of 2 updated replicas are available/,
  )
  assert.equal(
    rolloutState({
      ...base,
      status: { observedGeneration: 2, updatedReplicas: 2, replicas: 2, availableReplicas: 2 },
    }).done,
    true,
  )
})

interface PodSpec {
  volumes?: unknown
  securityContext: { fsGroup?: number }
  containers: Array<{ volumeMounts?: unknown; env: Array<{ name: string }> }>
}

test('fleet.env secretKeyRefs are also files in /run/gwdeploy/env, as on the other container providers', () => {
  const withEnv = kubeSettings(
    gwConfigSchema.parse({
      service: 'payments',
      image: { repository: 'registry.example.com/team/gateway' },
      fleet: {
        env: {
          REGION: 'eu-west-1',
          TLS_KEY: { secretKeyRef: { name: 'gw-tls', key: 'tls.key' } },
          API_KEY: { secretKeyRef: { name: 'gw-secrets', key: 'api' } },
        },
      },
      provider: { kind: 'kubernetes', kubernetes: {} },
    }),
  )
  const deployment = deploymentManifest(spec, withEnv)
  const pod = (deployment.spec.template as { spec: unknown }).spec as PodSpec
  assert.deepEqual(pod.volumes, [
    {
      name: 'gwdeploy-env',
      projected: {
        defaultMode: 0o440,
        sources: [
          { secret: { name: 'gw-secrets', items: [{ key: 'api', path: 'API_KEY' }], optional: true } },
          { secret: { name: 'gw-tls', items: [{ key: 'tls.key', path: 'TLS_KEY' }], optional: true } },
        ],
      },
    },
  ])
  assert.deepEqual(pod.containers[0]?.volumeMounts, [
    { name: 'gwdeploy-env', mountPath: '/run/gwdeploy/env', readOnly: true },
  ])
  assert.equal(pod.securityContext.fsGroup, 1000)
  // The variables stay: the runtime and flexible config read them from the environment.
  assert.deepEqual(
    pod.containers[0]?.env.find((e) => e.name === 'TLS_KEY'),
    { name: 'TLS_KEY', valueFrom: { secretKeyRef: { name: 'gw-tls', key: 'tls.key' } } },
  )
  // Without secrets, no volume and no fsGroup (the golden files above).
  const plain = (deploymentManifest(spec, settings({})).spec.template as { spec: unknown }).spec as PodSpec
  assert.equal(plain.volumes, undefined)
  assert.equal(plain.securityContext.fsGroup, undefined)
})
