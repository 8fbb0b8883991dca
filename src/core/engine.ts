/**
 * The release engine's public face for commands and tests. The engine itself lives in
 * core/release: named steps (release/steps/*) over one Run, and `release`, `rollback` and
 * `promote` as compositions of them. Nothing inside src/core imports this file.
 */

export { type AbortResult, abort } from './release/abort.ts'
export type {
  EngineContext,
  PlanSummary,
  ReleaseOptions,
  ReleaseResult,
} from './release/context.ts'
export { planRelease, servingColour, splitWeights } from './release/plan.ts'
export { type PromoteOptions, promote } from './release/promote.ts'
export { release } from './release/release.ts'
export { type RollbackOptions, rollback } from './release/rollback.ts'
