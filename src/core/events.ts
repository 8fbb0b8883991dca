import type { Location, Problem } from './errors.ts'

/**
 * The engine never prints. It emits these events to a Reporter, and the command picks
 * the renderer (live TTY list, plain CI lines, JSON = silent, GitHub Actions summary).
 */
export type StepStatus = 'running' | 'done' | 'skipped' | 'failed'

export type EngineEvent =
  | { type: 'step'; step: string; status: StepStatus; detail?: string }
  | { type: 'progress'; step: string; message: string }
  | { type: 'info'; message: string }
  | { type: 'warn'; message: string }
  | { type: 'node'; step: string; node: string; status: 'pending' | 'healthy' | 'unhealthy'; detail?: string }
  | { type: 'weights'; weights: Record<string, number> }
  | { type: 'summary'; title: string; rows: ReadonlyArray<readonly [string, string]> }
  /** Green takes traffic and is watched until `endsAt` (ms since the epoch): the view's countdown. */
  | { type: 'bake'; step: string; colour: string; durationMs: number; endsAt: number }
  /** What this run deploys, once known (after build): CI outputs (sha, config name, image digest). */
  | { type: 'artifact'; sha: string; configName: string; image?: string | undefined }
  /** A run stopped or failed before it went live, once it has put traffic back: where traffic is now. */
  | ({ type: 'reverted' } & RevertedState)
  /** The end of a lock scope: this run released the target's lock, lost it to another holder, or could not release it. */
  | { type: 'lock'; state: LockOutcome; detail?: string }

/** What a run left behind when it stopped before it went live (the `--json` envelope carries it). */
export interface RevertedState {
  /** The weights the router carries now. */
  weights: Record<string, number>
  /** false: traffic could not be routed back, and `weights` is what stayed. */
  routedBack: boolean
  /** Every colour with traffic now, with the release it runs. */
  serving: Array<{ colour: string; sha: string; configName: string; weight: number }>
  /** The colour this run deployed, when it has no traffic now: kept (still up) or not (torn down, never started). */
  idle: { colour: string; sha: string; configName: string; kept: boolean } | null
}

type LockOutcome = 'released' | 'taken-over' | 'not-released'

export interface ReportedError {
  message: string
  exitCode: number
  /** Located problems, for annotations that point at a file and line. */
  problems?: Problem[]
  /** Where the error itself is (a file, maybe its line), when it is not a list of problems. */
  location?: Location
  /** What to do about it. */
  hint?: string
}

export interface Reporter {
  emit(event: EngineEvent): void
  /** Called once when the command ends, with the error if it failed. */
  close(error?: ReportedError): void
}

export const silentReporter: Reporter = {
  emit() {},
  close() {},
}

/** Runs `fn` as a step: running -> done, or failed with the error message. */
export async function step<T>(reporter: Reporter, name: string, fn: () => Promise<T>): Promise<T> {
  reporter.emit({ type: 'step', step: name, status: 'running' })
  try {
    const result = await fn()
    reporter.emit({ type: 'step', step: name, status: 'done' })
    return result
  } catch (error) {
    reporter.emit({
      type: 'step',
      step: name,
      status: 'failed',
      detail: error instanceof Error ? error.message : String(error),
    })
    throw error
  }
}
