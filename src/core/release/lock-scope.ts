/**
 * One lock scope per command. The lock is held on the context: a step or composition that asks for
 * it again inside the scope gets the same lock (re-entrant), so a decision and the action taken on
 * it never straddle two lock holders.
 */
import { type EngineEvent, step } from '../events.ts'
import { ExitCode } from '../exit-codes.ts'
import { acquireLock, type HeldLock } from '../lock.ts'
import { lockHolder } from '../target.ts'
import { testPoint } from '../testpoints.ts'
import { type EngineContext, emitter, type LockedContext } from './context.ts'
import { breakerOf, lockGuarded } from './lock-guard.ts'

export async function withLock<T>(
  ctx: EngineContext,
  operation: string,
  sha: string | undefined,
  waitMs: number,
  fn: (locked: LockedContext) => Promise<T>,
): Promise<T> {
  if (ctx.lock) return fn(ctx as LockedContext)
  const { target, reporter, signal } = ctx
  await testPoint('lock', signal)
  const lock = await step(reporter, 'lock', () =>
    acquireLock(
      target.provider.lock(),
      { holder: lockHolder(), operation, ttlMs: target.config.lock.ttl, ...(sha ? { sha } : {}) },
      { waitMs, signal, emit: emitter(reporter), env: target.env, breaker: breakerOf(target) },
    ),
  )
  try {
    // Work under the lock stops when the lock is lost, as it does on SIGINT/SIGTERM.
    return await fn(lockedContext(ctx, lock))
  } finally {
    await testPoint('unlock')
    reporter.emit({ type: 'step', step: 'unlock', status: 'running' })
    const outcome = await released(lock)
    if (outcome.state === 'not-released') reporter.emit({ type: 'warn', message: outcome.detail ?? '' })
    reporter.emit(outcome)
    reporter.emit({ type: 'step', step: 'unlock', status: 'done' })
  }
}

/** The context under `lock`: stopped when the lock is lost, its provider's changes checking the lock first. */
export function lockedContext(ctx: EngineContext, lock: HeldLock): LockedContext {
  const target = { ...ctx.target, provider: lockGuarded(ctx.target.provider, lock) }
  return { ...ctx, target, lock, signal: AbortSignal.any([ctx.signal, lock.lost]) }
}

/** Releases a held lock and says how that went (one lost to another holder is theirs now). */
export async function released(lock: HeldLock): Promise<Extract<EngineEvent, { type: 'lock' }>> {
  const lost = lock.lost.aborted
  try {
    await lock.release()
    if (!lost) return { type: 'lock', state: 'released' }
    const reason = lock.lost.reason as Error | undefined
    return { type: 'lock', state: 'taken-over', ...(reason?.message ? { detail: reason.message } : {}) }
  } catch (error) {
    return {
      type: 'lock',
      state: 'not-released',
      detail: `could not release the lock: ${(error as Error).message}`,
    }
  }
}

/** A run stopped from outside (SIGINT/SIGTERM, the lock lost) rather than failed by what it found. */
export function isStop(error: unknown, ctx: EngineContext): boolean {
  const code = (error as { exitCode?: number; code?: string } | undefined)?.exitCode
  return code === ExitCode.interrupted || (ctx.lock?.lost.aborted ?? false)
}
