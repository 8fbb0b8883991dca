import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { providerError } from './errors.ts'
import { importOptional, resolveSibling } from './optional-import.ts'

export interface GatewayRuntime {
  entry: string
  bundled: boolean
}

interface BundleModule {
  buildRuntimeBundle(): Promise<{ path: string; sha256: string }>
}

/**
 * What the local provider runs as a node: the cached one-file runtime bundle
 * (src/image/bundle.ts), else the gateway's entry module in place (src/gateway/main).
 * GWDEPLOY_GATEWAY_ENTRY overrides both (documented; for development and tests).
 */
export async function resolveGatewayRuntime(env: NodeJS.ProcessEnv = process.env): Promise<GatewayRuntime> {
  const override = env.GWDEPLOY_GATEWAY_ENTRY
  if (override) {
    const entry = resolve(override)
    if (!existsSync(entry)) throw providerError(`GWDEPLOY_GATEWAY_ENTRY=${override}: no such file`)
    return { entry, bundled: false }
  }
  if (env.GWDEPLOY_NO_BUNDLE !== '1') {
    const bundle = await importOptional<BundleModule>('../image/bundle').catch(() => undefined)
    if (bundle?.buildRuntimeBundle) {
      try {
        const built = await bundle.buildRuntimeBundle()
        return { entry: built.path, bundled: true }
      } catch {
        // esbuild is a build-time tool; fall back to running the runtime module in place.
      }
    }
  }
  const main = resolveSibling('../gateway/main')
  if (main) return { entry: main, bundled: false }
  throw providerError('the gateway runtime is not part of this build of gwdeploy', {
    hint: 'Reinstall gwdeploy, or point GWDEPLOY_GATEWAY_ENTRY at a gateway entry file.',
  })
}
