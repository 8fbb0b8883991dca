/** `gwdeploy abort`: stop the operation running on the target; it reverts to its last gated state. */
import type { LockInfo, ReleaseRecord } from '../../providers/types.ts'
import { usageError } from '../errors.ts'
import type { EngineContext } from './context.ts'
import { forceScope, running } from './takeover.ts'

export interface AbortResult {
  aborted: { holder: string; operation?: string | undefined; sha?: string | undefined }
  outcome?: { status: string; weights?: ReleaseRecord['weights']; error?: string | undefined } | undefined
  weights: { blue: number; green: number }
  /** The holder's process on this host was gone (kill -9): it was not running, and records nothing. */
  dead?: true | undefined
}

/** `gwdeploy abort`: stops the running release/promote/rollback; exit 2 when nothing runs. */
export async function abort(ctx: EngineContext): Promise<AbortResult> {
  if (!(await running(ctx))) {
    throw usageError('there is nothing to abort: no release, promote or rollback holds the lock', {
      hint: '`gwdeploy status` shows the target; `gwdeploy rollback` goes back to the release before the live one.',
    })
  }
  return forceScope(ctx, 'gwdeploy abort', async (locked, { aborted, outcome, dead }) => {
    const state = await locked.target.provider.inspect({ signal: locked.signal })
    const who = aborted as LockInfo
    return {
      aborted: { holder: who.holder, operation: who.operation, sha: who.sha },
      ...(outcome
        ? { outcome: { status: outcome.status, weights: outcome.weights, error: outcome.error } }
        : {}),
      weights: state.weights,
      ...(dead ? { dead } : {}),
    }
  })
}
