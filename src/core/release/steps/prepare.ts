/** resolve -> stamp -> build: everything a release needs before it takes the lock. */
import type { Artifact } from '../../../providers/types.ts'
import { buildArtifact, makeArtifact, saveArtifact } from '../../artifacts.ts'
import { step } from '../../events.ts'
import { resolveSha } from '../../git.ts'
import { resolveGatewayRuntime } from '../../runtime.ts'
import { testPoint } from '../../testpoints.ts'
import { checkAborted, type EngineContext, type ReleaseOptions } from '../context.ts'

export interface Resolved {
  sha: string
  version: string
}

export function resolve(ctx: EngineContext, options: ReleaseOptions): Promise<Resolved> {
  const { target } = ctx
  return step(ctx.reporter, 'resolve', () =>
    resolveSha({
      sha: options.sha,
      allowDirty: options.allowDirty ?? false,
      cwd: target.dir,
      stateDir: target.stateDir,
    }),
  )
}

/** Read and validate the gateway config: a bad or huge config is exit 2 with nothing changed. */
export async function stamp(ctx: EngineContext, resolved: Resolved): Promise<Artifact> {
  await testPoint('stamp', ctx.signal)
  return step(ctx.reporter, 'stamp', () => makeArtifact(ctx, resolved.sha, resolved.version))
}

/** The image (or the local runtime), built before the lock: a slow build never holds the target. */
export async function build(ctx: EngineContext, artifact: Artifact): Promise<Artifact> {
  checkAborted(ctx.signal)
  await testPoint('build', ctx.signal)
  const built = await buildArtifact(ctx, artifact)
  await saveArtifact(ctx.target.stateDir, built)
  checkAborted(ctx.signal)
  return built
}

/**
 * A recorded artifact (rollback) only needs the runtime the local provider runs; image-based
 * providers deploy the recorded image by digest. Resolved before the lock, like a build.
 */
export async function localRuntime(ctx: EngineContext): Promise<Artifact['runtime']> {
  return ctx.target.provider.capabilities.image ? undefined : resolveGatewayRuntime()
}
