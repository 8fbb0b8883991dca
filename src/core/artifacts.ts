/** Release artifacts (stamped config + image) by SHA, so rollback can re-release a SHA whose colour is gone. */

import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { healthGateProblem } from '../config/health-gate-check.ts'
import { revokerPort, revokerPortProblem } from '../config/revoker-port.ts'
import type { GwConfig } from '../config/schema.ts'
import { type ReleaseFlexibleConfig, stampGatewayConfig } from '../image/stamp.ts'
import type { Artifact, Fleet } from '../providers/types.ts'
import { formatProblem, providerError, usageError } from './errors.ts'
import { step } from './events.ts'
import type { EngineContext } from './release/context.ts'
import { resolveGatewayRuntime } from './runtime.ts'

/** Artifacts by SHA, so rollback can re-release a SHA whose colour is gone. A local convenience. */
export async function saveArtifact(stateDir: string, artifact: Artifact): Promise<void> {
  const dir = join(stateDir, 'artifacts')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const { runtime: _runtime, ...portable } = artifact
  await writeFile(join(dir, `${artifact.sha}.json`), `${JSON.stringify(portable)}\n`, { mode: 0o600 })
}

export async function loadArtifact(stateDir: string, sha: string): Promise<Artifact | undefined> {
  try {
    return JSON.parse(await readFile(join(stateDir, 'artifacts', `${sha}.json`), 'utf8')) as Artifact
  } catch {
    return undefined
  }
}

/** gateway.flexibleConfig with its directories resolved, or undefined for a plain config. */
export function releaseFlexibleConfig(config: GwConfig, dir: string): ReleaseFlexibleConfig | undefined {
  const fc = config.gateway.flexibleConfig
  if (!fc) return undefined
  const at = (path: string | undefined) => (path === undefined ? undefined : resolve(dir, path))
  return {
    settings: at(fc.settings),
    partials: at(fc.partials),
    templates: at(fc.templates),
    env: config.fleet.env,
  }
}

export async function makeArtifact(ctx: EngineContext, sha: string, version: string): Promise<Artifact> {
  const { target } = ctx
  // Providers without images run our runtime; image.runtime only matters where images are built.
  const runtime = target.provider.capabilities.image ? target.config.image.runtime : 'bundled'
  const stamped = await stampGatewayConfig({
    file: resolve(target.dir, target.config.gateway.config),
    template: target.config.gateway.name,
    service: target.config.service,
    sha,
    env: target.env,
    runtime,
    flexible: releaseFlexibleConfig(target.config, target.dir),
  })
  const unpassable = healthGateProblem(target.config, runtime, stamped.config, target.config.gateway.config)
  if (unpassable) throw unpassable
  const unpublishable =
    target.provider.capabilities.image &&
    revokerPortProblem(stamped.config, target.config.gateway.config, target.config.fleet.port)
  if (unpublishable) throw unpublishable
  const revoker = revokerPort(stamped.config)
  // Located (file:line and key path), as `config validate` and `gateway check` say them.
  for (const warning of stamped.warningProblems)
    ctx.reporter.emit({ type: 'warn', message: formatProblem(warning) })
  return {
    sha: stamped.sha,
    version,
    sha7: stamped.sha7,
    configName: stamped.name,
    configDigest: stamped.digest,
    configText: stamped.json,
    ...(stamped.files.length > 0 ? { files: stamped.files } : {}),
    ...(revoker === undefined ? {} : { revokerPort: revoker }),
  }
}

/** Builds (or reuses) what the release deploys, and tells the reporter what that is. */
export async function buildArtifact(ctx: EngineContext, artifact: Artifact): Promise<Artifact> {
  const built = await build(ctx, artifact)
  ctx.reporter.emit({ type: 'artifact', sha: built.sha, configName: built.configName, image: built.image })
  return built
}

/**
 * The runtime gwdeploy starts as nodes itself: the local provider's. Image-based providers deploy
 * images, and servers run outside gwdeploy (haproxy `servers:`) run nothing of ours.
 */
export async function runtimeToRun(ctx: EngineContext): Promise<Artifact['runtime']> {
  const { image, externalNodes } = ctx.target.provider.capabilities
  return image || externalNodes ? undefined : resolveGatewayRuntime()
}

/** What the build step says when nothing is built: what the nodes run instead. */
export function nothingBuilt(ctx: EngineContext, artifact: Artifact): string {
  if (artifact.image) return `reusing ${artifact.image}`
  if (artifact.runtime)
    return `${ctx.target.provider.id} runs the ${artifact.runtime.bundled ? 'runtime bundle' : 'runtime'} directly`
  return `${ctx.target.provider.id} moves traffic between servers run outside gwdeploy: nothing to build or start`
}

async function build(ctx: EngineContext, artifact: Artifact): Promise<Artifact> {
  const { target, reporter } = ctx
  if (!target.provider.capabilities.image) {
    const runtime = await runtimeToRun(ctx)
    const run = runtime ? { ...artifact, runtime } : artifact
    reporter.emit({ type: 'step', step: 'build', status: 'skipped', detail: nothingBuilt(ctx, run) })
    return run
  }
  if (artifact.image) {
    reporter.emit({ type: 'step', step: 'build', status: 'skipped', detail: nothingBuilt(ctx, artifact) })
    return artifact
  }
  const { config } = target
  const repository = config.image.repository
  if (!repository) {
    throw usageError(`provider ${target.provider.id} deploys images: set image.repository in gwdeploy.yml`)
  }
  // Loaded lazily: dockerode and the build machinery are only needed by image-based providers.
  const { buildImage } = await import('../image/build.ts')
  const built = await step(reporter, 'build', () =>
    buildImage(
      {
        service: config.service,
        sha: artifact.sha,
        env: target.env,
        gatewayConfig: resolve(target.dir, config.gateway.config),
        nameTemplate: config.gateway.name,
        flexible: releaseFlexibleConfig(config, target.dir),
        repository,
        base: config.image.base,
        runtime: config.image.runtime,
        port: config.fleet.port,
        push: config.image.push,
      },
      { reporter, signal: ctx.signal },
    ),
  )
  if (built.configDigest !== artifact.configDigest) {
    throw providerError(
      `the image's config digest ${built.configDigest} differs from the stamped ${artifact.configDigest}`,
    )
  }
  const image = built.digest ?? built.reference
  reporter.emit({ type: 'info', message: `${built.reused ? 'reusing' : 'built'} ${image}` })
  return { ...artifact, image }
}

export function fleetMatches(fleet: Fleet | undefined, artifact: Artifact): boolean {
  return fleet !== undefined && fleet.sha === artifact.sha && fleet.configDigest === artifact.configDigest
}

/** The names in `dir`, or none when it does not exist or cannot be read. */
export async function readdirSafe(dir: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises')
  try {
    return await readdir(dir)
  } catch {
    return []
  }
}
