// The kubernetes provider's pure answers to objects edited by hand (kubectl edit / set image / a
// Role without a verb). The same cases against the real cluster: test/e2e/kubernetes-real-hand-edits.test.ts.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gwConfigSchema } from '../../../src/config/schema.ts'
import { podHealth, serviceSelection } from '../../../src/providers/kubernetes/fleet.ts'
import {
  liveServiceManifest,
  previewServiceManifest,
  servicePatch,
} from '../../../src/providers/kubernetes/manifests.ts'
import { ROLE_LABEL } from '../../../src/providers/kubernetes/names.ts'
import { missingPermissions, releasePermissions } from '../../../src/providers/kubernetes/permissions.ts'
import { foreignService } from '../../../src/providers/kubernetes/services.ts'
import { kubeSettings } from '../../../src/providers/kubernetes/settings.ts'

const settings = kubeSettings(
  gwConfigSchema.parse({
    service: 'payments',
    image: { repository: 'registry.example.com/team/gateway' },
    provider: { kind: 'kubernetes', kubernetes: {} },
  }),
)
const live = liveServiceManifest(settings, 'blue')
const withSelector = (selector: Record<string, string>) => ({ spec: { ...live.spec, selector } })

test('a live selector with a key added by hand routes to no colour, and the next switch removes the key', () => {
  const edited = withSelector({ ...live.spec.selector, team: 'x' })
  const selection = serviceSelection(edited, settings.names)
  assert.equal(selection.colour, undefined)
  assert.match(selection.edited ?? '', /team=x/)
  // Same colour: the patch is not skipped, and it removes the foreign key (null in a merge patch).
  assert.deepEqual(servicePatch(edited, live, 'blue'), { spec: { selector: { team: null } } })
  assert.deepEqual(servicePatch(edited, live, 'green'), {
    spec: { selector: { 'gwdeploy.dev/colour': 'green', team: null } },
  })
})

test("a live selector naming another instance, or only the colour, is not gwdeploy's: edited", () => {
  const other = withSelector({ ...live.spec.selector, 'app.kubernetes.io/instance': 'other' })
  assert.equal(serviceSelection(other, settings.names).colour, undefined)
  assert.deepEqual(servicePatch(other, live, 'blue'), {
    spec: { selector: { 'app.kubernetes.io/instance': 'payments' } },
  })
  const colourOnly = withSelector({ 'gwdeploy.dev/colour': 'blue' })
  assert.ok(serviceSelection(colourOnly, settings.names).edited)
  // What gwdeploy writes is not an edit.
  assert.deepEqual(serviceSelection(live, settings.names), { colour: 'blue' })
  const none = liveServiceManifest(settings, 'none')
  assert.deepEqual(serviceSelection(none, settings.names), { colour: undefined })
})

test("a pod running another image than the release's is unhealthy, naming both", () => {
  const node = { id: 'payments-blue-1', colour: 'blue' as const }
  const pod = {
    metadata: { name: 'payments-blue-1' },
    spec: { containers: [{ name: 'gateway', image: 'registry/x@sha256:bbb' }] },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  }
  const health = podHealth(node, pod, 'registry/x@sha256:aaa')
  assert.equal(health.status, 'unhealthy')
  assert.match(health.detail ?? '', /sha256:bbb.*sha256:aaa/)
  assert.equal(podHealth(node, pod, 'registry/x@sha256:bbb').status, 'healthy')
})

test('a Role without pods/proxy get lacks exactly that; wildcards and subresource patterns grant', () => {
  const wanted = releasePermissions({ revoker: false })
  const role = [
    {
      apiGroups: ['apps'],
      resources: ['deployments'],
      verbs: ['get', 'create', 'update', 'patch', 'delete'],
    },
    { apiGroups: [''], resources: ['services'], verbs: ['get', 'create', 'patch', 'delete'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    { apiGroups: [''], resources: ['endpoints'], verbs: ['get'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list'] },
    { apiGroups: [''], resources: ['services/proxy'], verbs: ['get'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['list', 'create', 'delete'] },
  ]
  assert.deepEqual(
    missingPermissions(role, wanted).map((p) => `${p.verb} ${p.resource}`),
    ['get pods/proxy'],
  )
  assert.deepEqual(
    missingPermissions([...role, { apiGroups: [''], resources: ['pods/*'], verbs: ['get'] }], wanted),
    [],
  )
  assert.deepEqual(missingPermissions([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], wanted), [])
  assert.equal(
    missingPermissions(role, releasePermissions({ revoker: true })).filter(
      (p) => p.resource === 'pods/portforward',
    ).length,
    2,
  )
})

test('a record ConfigMap whose record.json was removed by hand is named, not silently left out', async () => {
  const { ConfigMapRecords } = await import('../../../src/providers/kubernetes/records.ts')
  const item = (name: string, data: Record<string, string>) => ({ metadata: { name }, data })
  const client = {
    server: 'https://127.0.0.1:1',
    under: () => client,
    core: {
      listNamespacedConfigMap: async () => ({
        items: [
          item('payments-release-2', { 'gateway.json': '{}' }),
          item('payments-release-1', {
            'record.json': JSON.stringify({
              time: '2026-01-01T00:00:00.000Z',
              operation: 'release',
              status: 'released',
              sha: 'a'.repeat(40),
            }),
          }),
        ],
      }),
    },
  }
  const records = new ConfigMapRecords(async () => client as never, settings.names)
  const unreadable: string[] = []
  const list = await records.list(10, { unreadable: (where, why) => unreadable.push(`${where}: ${why}`) })
  assert.equal(list.length, 1)
  assert.deepEqual(unreadable, [
    `ConfigMap ${settings.names.namespace}/payments-release-2: it has no record.json key`,
  ])
})

test("a Service of this name that is another target's (X-preview live vs X's preview) or not gwdeploy's is not switched", () => {
  const mine = { metadata: { labels: live.metadata.labels } }
  assert.equal(foreignService(mine, live), undefined)
  // Before role labels: a Service of this target without one is still this target's.
  const { [ROLE_LABEL]: _role, ...unroled } = live.metadata.labels ?? {}
  assert.equal(foreignService({ metadata: { labels: unroled } }, live), undefined)
  // Target "payments-preview" finds the preview Service of "payments" under its live Service's name.
  const other = kubeSettings(
    gwConfigSchema.parse({
      service: 'payments-preview',
      image: { repository: 'registry.example.com/team/gateway' },
      provider: { kind: 'kubernetes', kubernetes: {} },
    }),
  )
  const otherLive = liveServiceManifest(other, 'blue')
  assert.equal(otherLive.metadata.name, previewServiceManifest(settings, 'green').metadata.name)
  assert.equal(
    foreignService({ metadata: previewServiceManifest(settings, 'green').metadata }, otherLive),
    "gwdeploy's preview Service of the target payments",
  )
  assert.equal(foreignService({ metadata: { labels: { app: 'x' } } }, live), 'not managed by gwdeploy')
})
