/**
 * `gwdeploy release`: resolve -> stamp -> build (before the lock) -> lock -> plan -> provision ->
 * verify -> shift (+bake) -> finalize -> unlock, as steps over one Run.
 *
 * Convergence: nothing is remembered between runs except what the provider reports (inspect) — a
 * re-run after a crash at any step re-reads the state and continues: a colour already running the
 * SHA is reused (re-verified), a half-done shift is resumed after re-verifying green, a release
 * already at 100% is finalized if it was not. Invariants: traffic only goes to a colour that passed
 * the health gate in this run; the serving colour is never decommissioned; the lock is always released.
 */
import type { EngineContext, ReleaseOptions, ReleaseResult } from './context.ts'
import { dryRun } from './dry-run.ts'
import { withLock } from './lock-scope.ts'
import { converge } from './steps/converge.ts'
import { deliver, liveUnfinishedError } from './steps/deliver.ts'
import { hooks, hookValues } from './steps/hooks.ts'
import { planRun } from './steps/inspect.ts'
import { build, resolve, stampChecked } from './steps/prepare.ts'
import { emitSummary } from './summary.ts'

export async function release(ctx: EngineContext, options: ReleaseOptions): Promise<ReleaseResult> {
  const started = Date.now()
  const resolved = await resolve(ctx, options)
  const stamped = await stampChecked(ctx, resolved, options.sha !== undefined)
  if (options.dryRun) return dryRun(ctx, stamped.artifact, stamped.version)
  // The live artifact (liveOnly) is not built again: it runs already.
  const artifact = stamped.liveOnly ? stamped.artifact : await build(ctx, stamped.artifact)
  return withLock(ctx, 'release', resolved.sha, options.lockWaitMs ?? 0, async (locked) => {
    const run = await planRun(locked, 'release', artifact, stamped.version, options, started)
    // No longer live by the time the lock was taken: what was found before stands (exit 2, nothing changed).
    if (stamped.liveOnly && !run.decision.unchanged) throw stamped.liveOnly
    const result = run.decision.unchanged ? await converge(locked, run) : await deliver(locked, run, options)
    if (run.unfinished.length > 0) throw liveUnfinishedError(run)
    if (result.status !== 'released' || run.decision.unchanged) return result
    emitSummary(locked, run, 'Released')
    await hooks(locked, 'postRelease', hookValues(locked, run), false)
    const endpoint = (await locked.target.provider.inspect({ signal: locked.signal }).catch(() => run.state))
      .router.endpoint
    return { ...result, endpoint }
  })
}
