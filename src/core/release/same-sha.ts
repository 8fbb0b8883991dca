/**
 * One SHA names one gateway config. Before the lock, a release checks that what it stamped is what
 * the SHA stands for: with an explicit `--sha`, the working tree's gateway config files must be
 * what that commit holds (when the repository here knows it), and a SHA already released on the
 * target must not come back with another config digest (image tags are refused the same way when
 * they are built). Either is exit 2 with nothing changed — unless the SHA is the one live at 100%:
 * then the release does what README step 5 says for the live SHA (make sure it is served: restart
 * a router that is down, replace gone nodes) with the artifact that is live, never today's files.
 */
import { dirname, resolve } from 'node:path'
import { revokerPort } from '../../config/revoker-port.ts'
import { type Artifact, COLOURS, type Colour, type Fleet, type TargetState } from '../../providers/types.ts'
import { fleetMatches, loadArtifact, releaseFlexibleConfig } from '../artifacts.ts'
import { type GwError, usageError } from '../errors.ts'
import { differsFromCommit } from '../git.ts'
import { LOOKBACK } from '../records.ts'
import { type EngineContext, info } from './context.ts'
import { engineRecords } from './engine-records.ts'
import type { FleetVersions } from './plan.ts'

/** The working tree's gateway config files differ from commit `sha`: the refusal, else undefined. */
export async function uncommittedConfig(ctx: EngineContext, stamped: Artifact): Promise<GwError | undefined> {
  const { config, dir } = ctx.target
  const configFile = resolve(dir, config.gateway.config)
  const files = [configFile, ...(stamped.files ?? []).map((f) => resolve(dirname(configFile), f.path))]
  const flexible = releaseFlexibleConfig(config, dir)
  const dirs = [flexible?.settings, flexible?.partials, flexible?.templates].filter(
    (d): d is string => d !== undefined,
  )
  const differs = await differsFromCommit({ cwd: dir, sha: stamped.sha, files, dirs })
  if (!differs) return undefined
  const sha7 = stamped.sha.slice(0, 7)
  return usageError(
    `${differs} in the working tree is not what commit ${sha7} holds: --sha ${sha7} would release it under ${sha7}'s name`,
    {
      location: { file: differs },
      hint: `Check out ${sha7} first (\`git checkout ${sha7}\`), or commit the change and release the new commit (leave --sha out: HEAD is released). \`gwdeploy rollback --to ${sha7}\` redeploys exactly what was released as ${sha7}.`,
      details: { file: differs, sha: stamped.sha },
    },
  )
}

const RAN = new Set(['released', 'switched', 'preview'])

/**
 * The version was already released on the target with another config digest (local releases;
 * image providers refuse the tag when they build). The refusal, else undefined.
 */
export async function recordedWithOtherDigest(
  ctx: EngineContext,
  stamped: Artifact,
  version: string,
): Promise<GwError | undefined> {
  if (ctx.target.provider.capabilities.image) return undefined
  const records = await engineRecords(ctx, LOOKBACK)
  const other = records.find(
    (r) =>
      RAN.has(r.status) &&
      (r.version ?? r.sha) === version &&
      r.configDigest !== undefined &&
      r.configDigest !== stamped.configDigest,
  )
  if (!other?.configDigest) return undefined
  const sha7 = stamped.sha.slice(0, 7)
  return usageError(
    `${sha7} was released with another gateway config (digest ${other.configDigest.slice(7, 19)}, now ${stamped.configDigest.slice(7, 19)}): one SHA names one config`,
    {
      hint: `Commit the change and release the new commit. \`gwdeploy rollback --to ${sha7}\` redeploys exactly what was released as ${sha7}.`,
      details: { sha: stamped.sha, recorded: other.configDigest, stamped: stamped.configDigest },
    },
  )
}

/** What is live at 100% as `sha`, rebuilt from its record (the config it runs), or undefined. */
export async function liveArtifact(
  ctx: EngineContext,
  sha: string,
): Promise<{ artifact: Artifact; version: string; colour: Colour } | undefined> {
  const state = await ctx.target.provider.inspect({ signal: ctx.signal })
  const fleet: Fleet | undefined = COLOURS.map((c) => state.fleets[c]).find(
    (f) => f !== undefined && f.sha === sha && state.weights[f.colour] === 100,
  )
  if (!fleet) return undefined
  const records = await engineRecords(ctx, LOOKBACK)
  const record = records.find(
    (r) => r.sha === sha && r.configDigest === fleet.configDigest && (r.configText || r.image),
  )
  const cached = await loadArtifact(ctx.target.stateDir, sha)
  const cache = cached?.configDigest === fleet.configDigest ? cached : undefined
  const configText = record?.configText ?? cache?.configText ?? ''
  let port: number | undefined
  try {
    port = configText ? revokerPort(JSON.parse(configText)) : undefined
  } catch {
    port = undefined
  }
  const image = fleet.image ?? record?.image
  const artifact: Artifact = {
    sha,
    sha7: sha.slice(0, 7),
    configName: fleet.configName,
    configDigest: fleet.configDigest,
    configText,
    ...(cache?.files ? { files: cache.files } : {}),
    ...(port === undefined ? {} : { revokerPort: port }),
    ...(image ? { image } : {}),
  }
  return { artifact, version: record?.version ?? cache?.version ?? sha, colour: fleet.colour }
}

/**
 * The recorded version of each colour that runs `artifact`'s SHA and config digest: the plan tells
 * `release --allow-dirty` from a tree that differs from the live one's (its `fleet.env`, its
 * untracked files) apart from the release that is live, instead of calling it "already live".
 * Records are read only when a colour runs the SHA and digest.
 */
export async function fleetVersions(
  ctx: EngineContext,
  state: TargetState,
  artifact: Artifact,
  version: string,
): Promise<FleetVersions> {
  const colours = COLOURS.filter((colour) => fleetMatches(state.fleets[colour], artifact))
  if (colours.length === 0) return {}
  const records = await engineRecords(ctx, LOOKBACK)
  const versions: FleetVersions = {}
  for (const colour of colours) {
    const record = records.find(
      (r) =>
        RAN.has(r.status) &&
        r.colour === colour &&
        r.sha === artifact.sha &&
        r.configDigest === artifact.configDigest,
    )
    const recorded = record?.version ?? record?.sha
    if (recorded === undefined) continue
    versions[colour] = recorded
    if (recorded !== version)
      info(
        ctx,
        `${colour} runs ${artifact.sha7} with this gateway config as ${recorded}; this working tree is ${version}: it is another release`,
      )
  }
  return versions
}
