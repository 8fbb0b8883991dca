/**
 * The live and preview Services: pointed at a colour in one atomic patch, then waited on until
 * the cluster's endpoint controllers route the Service to that colour's pods only.
 */
import type * as k8s from '@kubernetes/client-node'
import { providerError } from '../../core/errors.ts'
import { sleep } from '../../health/gate.ts'
import type { Colour, OperationOptions } from '../types.ts'
import { type KubeApi, POLL_MS } from './api.ts'
import { isConflict, unlessNotFound } from './client.ts'
import { type ServiceManifest, selectorPatch, servicePatch } from './manifests.ts'
import { LABEL, type NO_COLOUR, ROLE_LABEL } from './names.ts'

const ENDPOINTS_WAIT_MS = 60_000

/** Creates the Service, or merge-patches its selector to `colour` (plus type/ports the config changed): one atomic patch. */
export async function pointService(
  api: KubeApi,
  manifest: ServiceManifest,
  colour: Colour | typeof NO_COLOUR,
): Promise<void> {
  const name = manifest.metadata.name
  const current = await api.readService(name)
  const foreign = current ? foreignService(current, manifest) : undefined
  if (foreign) {
    throw providerError(`kubernetes: Service ${api.ns}/${name} exists but is ${foreign}`, {
      hint: 'Set provider.kubernetes.service / .previewService to names no other Service has (a target named X-preview collides with the preview Service of X).',
    })
  }
  const patch = current ? servicePatch(current, manifest, colour) : undefined
  if (current && !patch) return
  await api.call(`switch Service ${api.ns}/${name} to ${colour}`, async (c) => {
    if (!current) {
      try {
        await c.core.createNamespacedService({
          namespace: api.ns,
          body: manifest as unknown as k8s.V1Service,
        })
        return
      } catch (error) {
        if (!isConflict(error)) throw error
      }
    }
    await c.core.patchNamespacedService(
      { name, namespace: api.ns, body: patch ?? selectorPatch(colour) },
      c.mergePatch,
    )
  })
}

/**
 * Why an existing Service of the manifest's name is not this one to switch: not gwdeploy's, or
 * gwdeploy's for another target (its instance label) or role (another target's preview Service
 * named like this target's live one). Labels an older gwdeploy did not write are not required.
 */
export function foreignService(
  current: Pick<k8s.V1Service, 'metadata'>,
  manifest: ServiceManifest,
): string | undefined {
  const labels = current.metadata?.labels ?? {}
  if (labels[LABEL.managedBy] !== 'gwdeploy') return 'not managed by gwdeploy'
  const owner = labels[LABEL.instance]
  const mine = manifest.metadata.labels?.[LABEL.instance]
  const role = labels[ROLE_LABEL]
  const myRole = manifest.metadata.labels?.[ROLE_LABEL]
  if ((owner && owner !== mine) || (role && role !== myRole))
    return `gwdeploy's ${role ? `${role} Service` : 'Service'} of the target ${owner ?? mine}`
  return undefined
}

/**
 * Until the Service's Endpoints and its EndpointSlices list only (and at least one of) the
 * colour's current pods. Two controllers update them asynchronously after a Service is created or
 * its selector changes: the API server's service proxy reads the Endpoints, kube-proxy the
 * EndpointSlices. Until both agree a smoke check could get a 404/503 from the API server, and a
 * new connection through the ClusterIP could still reach the colour selected before (whose pods
 * the next step may already be replacing).
 */
export async function waitEndpoints(
  api: KubeApi,
  service: string,
  colour: Colour,
  options: OperationOptions,
): Promise<void> {
  const wanted = new Set((await api.colourPods(colour)).map((p) => p.metadata?.name))
  const onlyWanted = (names: Array<string | undefined>) =>
    names.length > 0 && names.every((name) => name !== undefined && wanted.has(name))
  const deadline = Date.now() + ENDPOINTS_WAIT_MS
  let last = 'no Endpoints object yet'
  for (;;) {
    const endpoints = await api.call(`read Endpoints ${api.ns}/${service}`, (c) =>
      unlessNotFound(() => c.core.readNamespacedEndpoints({ name: service, namespace: api.ns })),
    )
    const targets = (endpoints?.subsets ?? []).flatMap((s) => s.addresses ?? []).map((a) => a.targetRef?.name)
    if (endpoints) last = `its Endpoints list ${targets.length ? targets.join(', ') : 'no ready pods'}`
    if (onlyWanted(targets)) {
      const slices = await api.call(`list EndpointSlices of ${api.ns}/${service}`, (c) =>
        c.discovery.listNamespacedEndpointSlice({
          namespace: api.ns,
          labelSelector: `kubernetes.io/service-name=${service}`,
        }),
      )
      const sliced = slices.items
        .flatMap((slice) => slice.endpoints ?? [])
        .filter((e) => e.conditions?.ready !== false)
        .map((e) => e.targetRef?.name)
      if (onlyWanted(sliced)) return
      last = `its EndpointSlices list ${sliced.length ? sliced.join(', ') : 'no ready pods'}`
    }
    if (Date.now() > deadline) {
      throw providerError(
        `kubernetes: Service ${api.ns}/${service} does not reach ${colour}'s pods within ${ENDPOINTS_WAIT_MS / 1000} s: ${last}`,
        { hint: 'Is kube-controller-manager (its endpoints and endpointslice controllers) running?' },
      )
    }
    await sleep(POLL_MS, options.signal)
  }
}
