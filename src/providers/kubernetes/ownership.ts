/**
 * Which objects at the target's names are the target's own: a Deployment or Service gwdeploy did
 * not create, or created for another target (a target named `X-preview` has its live Service
 * named like `X`'s preview Service), is never switched, replaced or deleted.
 */
import { providerError } from '../../core/errors.ts'
import type { Colour } from '../types.ts'
import type { KubeApi } from './api.ts'
import { liveServiceManifest, previewServiceManifest } from './manifests.ts'
import { deploymentName, LABEL, MANAGED_BY, NO_COLOUR } from './names.ts'
import { foreignService } from './services.ts'
import type { KubeSettings } from './settings.ts'

export interface TargetService {
  name: string
  exists: boolean
  /** Why it is not this target's (undefined: absent or this target's). */
  foreign: string | undefined
}

/** The live and preview Services as they are: absent, this target's, or why they are not. */
export async function targetServices(api: KubeApi, settings: KubeSettings): Promise<TargetService[]> {
  const manifests = [liveServiceManifest(settings, NO_COLOUR), previewServiceManifest(settings, 'green')]
  return Promise.all(
    manifests.map(async (manifest) => {
      const current = await api.readService(manifest.metadata.name)
      return {
        name: manifest.metadata.name,
        exists: current !== undefined,
        foreign: current ? foreignService(current, manifest) : undefined,
      }
    }),
  )
}

/** Exit 6 before anything changes when the colour's Deployment or a Service name is held by another. */
export async function checkOwnership(api: KubeApi, settings: KubeSettings, colour: Colour): Promise<void> {
  const { instance } = settings.names
  const name = deploymentName(settings.names, colour)
  const labels = (await api.readDeployment(colour))?.metadata?.labels
  if (labels && (labels[LABEL.managedBy] !== MANAGED_BY || labels[LABEL.instance] !== instance)) {
    throw providerError(
      `kubernetes: Deployment ${api.ns}/${name} exists but is not ${instance}'s (labels ${LABEL.managedBy}=${labels[LABEL.managedBy] ?? '(none)'}, ${LABEL.instance}=${labels[LABEL.instance] ?? '(none)'}); nothing was changed`,
      { hint: 'Rename provider.kubernetes.service, or remove or rename that Deployment.' },
    )
  }
  const taken = (await targetServices(api, settings)).find((service) => service.foreign)
  if (taken)
    throw providerError(
      `kubernetes: Service ${api.ns}/${taken.name} exists but is ${taken.foreign}; nothing was changed`,
      {
        hint: 'Set provider.kubernetes.service / .previewService to names no other Service has (a target named X-preview collides with the preview Service of X).',
      },
    )
}
