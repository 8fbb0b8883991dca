/** `gwdeploy retire`: tears down the idle colour kept for rollback (or left by one). */
import { sleep } from '../health/gate.ts'
import {
  COLOURS,
  type Colour,
  type Fleet,
  type NodeHealth,
  type ReleaseRecord,
  type TargetState,
} from '../providers/types.ts'
import { GwError, usageError } from './errors.ts'
import { step } from './events.ts'
import { ExitCode } from './exit-codes.ts'
import { LOOKBACK, recordsOrNone, writeRecord } from './records.ts'
import type { EngineContext, LockedContext } from './release/context.ts'
import { withLock } from './release/lock-scope.ts'
import { hooks, preHooks } from './release/steps/hooks.ts'
import { unfinishedRetire } from './release/unfinished-retire.ts'
import { stoppedRetirePartWay } from './stopped-run.ts'
import { testPoint } from './testpoints.ts'

export interface RetireResult {
  retired: { colour: Colour; sha: string; nodes: number } | null
}

/**
 * The idle colour is what `rollback` switches to: it is not retired while no node of the serving
 * colour works (all gone or unhealthy in the provider's view), which would leave nothing to serve.
 * Nodes the provider still reports `starting` (HAProxy's first checks right after a release, an
 * instance registering) get the health gate's deadline to settle before that is decided.
 */
async function refuseWithoutServingNode(
  ctx: EngineContext,
  state: TargetState,
  serving: Colour,
  idle: Fleet,
): Promise<void> {
  const fleet = state.fleets[serving]
  const { interval, deadline } = ctx.target.config.health
  const settleBy = Date.now() + deadline
  const works = (node: NodeHealth) => node.status === 'healthy' || node.status === 'unknown'
  let view = fleet ? await ctx.target.provider.nodeHealth(fleet, { signal: ctx.signal }) : []
  while (
    fleet &&
    !view.some(works) &&
    view.some((node) => node.status === 'starting') &&
    Date.now() < settleBy
  ) {
    // Rejects with the signal's reason (the interrupt), as the engine's other waits do.
    await sleep(Math.min(interval, settleBy - Date.now()), ctx.signal)
    view = await ctx.target.provider.nodeHealth(fleet, { signal: ctx.signal })
  }
  if (view.some(works)) return
  const nodes = view.map((node) => `${node.node} ${node.status}`).join(', ') || 'no nodes'
  throw usageError(
    `${serving} serves all traffic but none of its nodes works (${nodes}): ${idle.colour} (${idle.sha.slice(0, 7)}) is what \`rollback\` would switch to; it is not retired`,
    {
      hint: '`gwdeploy rollback` switches to it; `gwdeploy release --sha <live SHA>` replaces the serving nodes; then retire.',
    },
  )
}

/** `gwdeploy retire`: tears down the idle colour; never the serving one, never mid-shift. */
export async function retire(
  ctx: EngineContext,
  options: { lockWaitMs?: number; delete?: boolean } = {},
): Promise<RetireResult> {
  const { reporter } = ctx
  // Under the lock: its loss (`abort`, `lock release --force`) stops the retire as an interrupt does.
  return withLock(ctx, 'retire', undefined, options.lockWaitMs ?? 0, async (locked) => {
    const { signal, target } = locked
    const { provider } = target
    const state = await step(reporter, 'plan', () => provider.inspect({ signal }))
    const idle = COLOURS.filter((c) => state.fleets[c] && state.weights[c] === 0)
    const busy = COLOURS.filter((c) => state.weights[c] > 0)
    if (busy.length > 1) {
      throw usageError(
        `traffic is split (${busy.map((c) => `${c} ${state.weights[c]}%`).join(', ')}): nothing is idle`,
        {
          hint: 'Finish the shift with `gwdeploy promote` or `gwdeploy rollback` first.',
        },
      )
    }
    const colour = idle.find((c) => busy.length === 0 || c !== busy[0])
    const fleet = colour ? state.fleets[colour] : undefined
    if (!colour || !fleet || busy.length === 0) {
      if (busy.length === 0 && idle.length > 0) {
        throw usageError('no colour is serving: refusing to guess which one is idle', {
          hint: 'Use `gwdeploy destroy` to remove everything, or `gwdeploy promote` to serve one.',
        })
      }
      await finishUnfinished(locked)
      reporter.emit({ type: 'info', message: 'no idle colour to retire' })
      return { retired: null }
    }
    await refuseWithoutServingNode(locked, state, busy[0] as Colour, fleet)
    const values = {
      sha: fleet.sha,
      colour,
      previousSha: undefined,
      service: target.config.service,
      env: target.env,
      operation: 'retire',
    }
    const record = (status: RetireStatus, error?: string) =>
      retireRecord(locked, { sha: fleet.sha, configName: fleet.configName, colour }, status, error)
    await preHooks(locked, values)
    // The intent goes on the target first: a run killed part-way is not read as a removal by hand.
    const unwritten = await record('started')
    if (unwritten) throw intentUnwritten(unwritten)
    await step(reporter, 'retire', async () => {
      await testPoint('retire:started', signal)
      await provider.decommission(fleet, {
        drainMs: 5_000,
        ...(options.delete ? { delete: true } : {}),
        signal,
        progress: (message) => reporter.emit({ type: 'progress', step: 'retire', message }),
      })
    }).catch(async (error: unknown) => {
      await hooks(locked, 'onFailure', values, false)
      const stopped = stoppedRetirePartWay(error, signal, fleet, target.env)
      // Said on the target too: `abort` waits for this record.
      if (stopped !== error) await record('interrupted', (stopped as Error).message)
      throw stopped
    })
    await testPoint('retire:record', signal)
    await record('retired')
    await hooks(locked, 'postRelease', values, false)
    return { retired: { colour, sha: fleet.sha, nodes: fleet.nodes.length } }
  })
}

type RetireStatus = 'started' | 'retired' | 'interrupted'

/** A retire's record: its intent, its outcome; `partOf` names the release or rollback that ran it. */
export const retireRecord = (
  ctx: LockedContext,
  fleet: Pick<ReleaseRecord, 'sha' | 'configName' | 'colour' | 'partOf'>,
  status: RetireStatus,
  error?: string,
) =>
  writeRecord(
    ctx.target,
    {
      time: new Date().toISOString(),
      operation: 'retire',
      status,
      service: ctx.target.config.service,
      env: ctx.target.env,
      ...fleet,
      holder: ctx.lock.info.holder,
      ...(error ? { error } : {}),
    },
    (message) => ctx.reporter.emit({ type: 'warn', message }),
    ctx.signal,
  )

/** Nothing idle is left of a retire that did not record its end (killed after stopping it all): recorded now. */
async function finishUnfinished(ctx: LockedContext): Promise<void> {
  const warn = (message: string) => ctx.reporter.emit({ type: 'warn', message })
  const retiring = unfinishedRetire(await recordsOrNone(ctx.target, LOOKBACK, warn, ctx.signal))
  if (!retiring) return
  const { sha, configName, colour } = retiring
  ctx.reporter.emit({
    type: 'info',
    message: `the retire started at ${retiring.time}${retiring.holder ? ` by ${retiring.holder}` : ''} left nothing of ${colour ?? 'the idle colour'}: recording that it finished`,
  })
  await retireRecord(ctx, { sha, configName, colour }, 'retired')
}

const intentUnwritten = (why: string) =>
  new GwError('retire_unrecorded', ExitCode.provider, `retire did not start: ${why}`, {
    hint: 'Nothing was stopped. A retire records that it started before it stops anything, so a run stopped part-way is never read as the colour kept for rollback removed by hand; fix the records store on the target, then re-run.',
  })
