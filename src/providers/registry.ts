/**
 * Provider id -> lazy factory. Nothing here imports a provider module at load time, so
 * `--help` and commands that do not touch a target never load a provider (or its SDKs).
 * A provider module exports `createProvider: ProviderFactory` (see types.ts).
 * To add a provider: one line in `loaders`, pointing at its folder's index.ts.
 */
import { providerError } from '../core/errors.ts'
import type { Provider, ProviderContext, ProviderId, ProviderModule } from './types.ts'

export type ProviderLoader = () => Promise<ProviderModule>

const loaders: Partial<Record<ProviderId, ProviderLoader>> = {
  local: () => import('./local/index.ts'),
  aws: () => import('./aws/index.ts'),
  haproxy: () => import('./haproxy/index.ts'),
  kubernetes: () => import('./kubernetes/index.ts'),
}

/** Registers (or replaces) a loader; for providers added in other folders and for tests. */
export function registerProvider(id: ProviderId, loader: ProviderLoader): void {
  loaders[id] = loader
}

export function providerIds(): ProviderId[] {
  return Object.keys(loaders) as ProviderId[]
}

export function hasProvider(id: ProviderId): boolean {
  return loaders[id] !== undefined
}

export async function loadProvider(id: ProviderId, context: ProviderContext): Promise<Provider> {
  const loader = loaders[id]
  if (!loader) {
    throw providerError(`provider "${id}" is not available in this build of gwdeploy`, {
      hint: `Available providers: ${providerIds().join(', ')}.`,
    })
  }
  const module = await loader()
  return module.createProvider(context)
}
