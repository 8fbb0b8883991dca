/**
 * A rollback whose release has no colour up to switch to (or one that failed its quick check):
 * its recorded artifact is released again, nothing built. Undoing a split (a canary, a release
 * killed mid-shift), the other side is what is rolled back: once the redeployed colour passes its
 * health gate it takes all traffic in one route, as a switch would, with no bake at the split.
 */
import type { Artifact, Fleet, ReleaseRecord, TargetState } from '../../providers/types.ts'
import { nothingBuilt, runtimeToRun } from '../artifacts.ts'
import { healthGateError, usageError } from '../errors.ts'
import { recordedArtifact } from '../records.ts'
import type { EngineContext, LockedContext, Run } from './context.ts'
import { info } from './context.ts'
import { isSplit } from './lineage.ts'
import { converge } from './steps/converge.ts'
import { deliver } from './steps/deliver.ts'
import { planRun } from './steps/inspect.ts'
import { checkFleetEnv } from './steps/prepare.ts'

/**
 * The idle colour rolled back to failed its quick check: its nodes are torn down and started again
 * rather than reused. Nodes the provider still counts as running (a hung process, a container whose
 * gateway stopped answering) would otherwise be kept by provision and fail the gate a second time,
 * leaving the rollback with nothing. It has no traffic, so tearing it down first changes nothing served.
 */
function replaceFailed(ctx: EngineContext, run: Run, failed: Fleet | undefined): void {
  const current = run.state.fleets[run.green]
  if (!failed || failed.colour !== run.green || run.decision.replace || !current) return
  if (run.state.weights[run.green] !== 0 || current.sha !== failed.sha) return
  run.decision = { ...run.decision, replace: current }
  info(
    ctx,
    `${run.green} (${current.sha.slice(0, 7)}) failed its check: its ${current.nodes.length} node(s) are replaced, not reused`,
  )
}

/**
 * The colour to go back to failed its quick check and its nodes run outside gwdeploy (haproxy
 * `servers`): a redeploy would only gate the same addresses again and tear the colour down when they
 * fail. Exit 4 at once, the colour kept, naming the servers to start.
 */
export function outsideNodesDown(fleet: Fleet, why: string) {
  const where = fleet.nodes.map((n) => (n.address ? `${n.id} ${n.address}` : n.id)).join(', ')
  return healthGateError(
    `${fleet.colour} (${fleet.sha.slice(0, 7)}) is not healthy (${why}), and its servers run outside gwdeploy, which cannot start or replace them: nothing was rolled back`,
    {
      hint: `Start ${fleet.colour}'s servers (${where}) again running ${fleet.sha.slice(0, 7)} ("${fleet.configName}"), then run \`gwdeploy rollback\` again: it switches to them. Traffic was not touched; ${fleet.colour} stays as it is.`,
    },
  )
}

/** What was released as `sha`, as recorded on the target (exit 2 when it is not). */
export async function requireRecorded(
  ctx: EngineContext,
  sha: string,
  records: ReleaseRecord[],
): Promise<Artifact> {
  const recorded = await recordedArtifact(ctx.target, sha, records)
  if (recorded) return recorded
  const where = ctx.target.provider.records?.().where ?? 'the local history'
  throw usageError(`no release of ${sha.slice(0, 7)} is recorded on the target (${where})`, {
    hint: `\`gwdeploy history\` lists what can be rolled back to; \`gwdeploy release --sha ${sha}\` stamps today's gateway config with that SHA instead.`,
  })
}

/** The share the colour rolled away from keeps until the redeployed one is through its gate, said once. */
function sayOneStep(ctx: EngineContext, run: Run): void {
  const away = run.serving ? run.state.fleets[run.serving] : undefined
  if (!away || run.green === away.colour) return
  info(
    ctx,
    `${away.colour} (${away.sha.slice(0, 7)}) ${run.previousNeverLive ? 'never went live' : 'is rolled back'}: its ${run.state.weights[away.colour]}% goes back to ${run.green} in one step once ${run.green} (${run.artifact.sha.slice(0, 7)}) passes its health gate`,
  )
}

export async function redeploy(
  ctx: LockedContext,
  recorded: Artifact,
  options: {
    state: TargetState
    started: number
    emergency: boolean
    /** The colour running this release that failed rollback's quick check with no traffic. */
    failed?: Fleet | undefined
  },
) {
  const { started, emergency } = options
  // The runtime the local provider runs is the same for every SHA (cached); only a redeploy needs it.
  // (Resolved before the lock, like a build.)
  const runtime = recorded.runtime ?? (await runtimeToRun(ctx))
  const artifact = runtime ? { ...recorded, runtime } : recorded
  // Nothing is built: the recorded image (by digest) or the runtime runs as it is.
  ctx.reporter.emit({ type: 'step', step: 'build', status: 'skipped', detail: nothingBuilt(ctx, artifact) })
  ctx.reporter.emit({
    type: 'artifact',
    sha: artifact.sha,
    configName: artifact.configName,
    image: artifact.image,
  })
  info(
    ctx,
    `redeploying ${artifact.configName} (${artifact.sha.slice(0, 7)}) as recorded${artifact.image ? `: ${artifact.image}` : ''}`,
  )
  // In an emergency (--force-now, no hooks) the known-good release goes live at once, unbaked.
  // The colour it shifts away from may be a release killed mid-shift (its canary share): that one
  // never went live and is not kept for rollback, as for a switch.
  const undoSplit = isSplit(options.state)
  // planRun judges the colour it shifts away from (judgePrevious), as for a switch.
  const run = await planRun(
    ctx,
    'rollback',
    artifact,
    artifact.version ?? artifact.sha,
    emergency || undoSplit ? { steps: [100] } : {},
    started,
  )
  if (emergency) run.bakeMs = 0
  // The colour it redeploys already served (a split undone): a stop or failure leaves traffic as found,
  // rather than hand the other side, the one rolled back, all of it.
  if (run.state.weights[run.green] > 0) run.revertTo = { ...run.state.weights }
  if (run.decision.unchanged) return { run, result: await converge(ctx, run) }
  replaceFailed(ctx, run, options.failed)
  // A redeploy starts nodes: what they would refuse at start (fleet.env) stops it before any change.
  checkFleetEnv(ctx)
  if (undoSplit && isSplit(run.state)) sayOneStep(ctx, run)
  return { run, result: await deliver(ctx, run, {}) }
}
