/** resolve -> stamp -> build: everything a release needs before it takes the lock. */
import { fleetEnvStartProblems } from '../../../config/fleet-env.ts'
import { applyKrakendEnv } from '../../../gateway/config/env-overrides.ts'
import type { Artifact } from '../../../providers/types.ts'
import { buildArtifact, makeArtifact, runtimeToRun, saveArtifact } from '../../artifacts.ts'
import { configError, type GwError } from '../../errors.ts'
import { step } from '../../events.ts'
import { resolveSha } from '../../git.ts'
import { formatKeyPath } from '../../source-text.ts'
import { testPoint } from '../../testpoints.ts'
import { checkAborted, type EngineContext, info, type ReleaseOptions } from '../context.ts'
import { liveArtifact, recordedWithOtherDigest, uncommittedConfig } from '../same-sha.ts'

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

/**
 * fleet.env problems the nodes would only hit when they start (an unset `fromEnv` variable, an
 * unreadable secret file, a KRAKEND_* override the runtime refuses): exit 2 naming the
 * gwdeploy.yml key, before the lock and before anything is changed (a kept colour retired).
 */
export function checkFleetEnv(ctx: EngineContext): void {
  const { config, dir } = ctx.target
  const issues = fleetEnvStartProblems(config.fleet, { provider: config.provider.kind, dir, applyKrakendEnv })
  const [first] = issues
  if (!first) return
  const located = issues.map((issue) => ({
    message: issue.message,
    location: { file: 'gwdeploy.yml', path: `fleet.${formatKeyPath(issue.path)}` },
    ...(issue.hint ? { hint: issue.hint } : {}),
  }))
  throw configError(first.message, {
    location: located[0]?.location,
    ...(first.hint ? { hint: first.hint } : {}),
    ...(issues.length > 1 ? { problems: located } : {}),
  })
}

/** Read and validate the gateway config: a bad or huge config is exit 2 with nothing changed. */
async function stamp(ctx: EngineContext, resolved: Resolved): Promise<Artifact> {
  await testPoint('stamp', ctx.signal)
  return step(ctx.reporter, 'stamp', async () => {
    checkFleetEnv(ctx)
    return makeArtifact(ctx, resolved.sha, resolved.version)
  })
}

export interface Stamped {
  artifact: Artifact
  version: string
  /**
   * Set when the stamped config is not what the SHA stands for but the SHA is live at 100%: the
   * artifact is the live one and the release may only make sure it is served (else this error).
   */
  liveOnly?: GwError | undefined
}

/**
 * stamp, then make sure the stamped config is what the SHA stands for (same-sha.ts): the working
 * tree against the commit (explicit --sha), the digest against the target's records.
 */
export async function stampChecked(
  ctx: EngineContext,
  resolved: Resolved,
  explicitSha: boolean,
): Promise<Stamped> {
  const stamped = await stamp(ctx, resolved)
  const problem =
    (explicitSha ? await uncommittedConfig(ctx, stamped) : undefined) ??
    (await recordedWithOtherDigest(ctx, stamped, resolved.version))
  if (!problem) return { artifact: stamped, version: resolved.version }
  const live = await liveArtifact(ctx, stamped.sha)
  if (!live) throw problem
  info(
    ctx,
    `${problem.message}; ${stamped.sha7} is live on ${live.colour}: only making sure it is served, as released`,
  )
  const runtime = await runtimeToRun(ctx)
  return {
    artifact: runtime ? { ...live.artifact, runtime } : live.artifact,
    version: live.version,
    liveOnly: problem,
  }
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
