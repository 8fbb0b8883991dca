import { Flags } from '@oclif/core'
import { BaseCommand, type RunContext } from '../../cli/base-command.ts'
import { configFlags } from '../../cli/flags.ts'
import { parseDuration } from '../../config/duration.ts'
import { usageError } from '../../core/errors.ts'
import { describeFreeze, FOREVER_MS, freeze } from '../../core/freeze.ts'
import type { LockInfo } from '../../providers/types.ts'

type Result = { lock: LockInfo }

/** The shortest freeze, as for `lock.ttl`: a lock store keeps at least this much. */
const MIN_TTL_MS = 1000

/** `--ttl`: a duration (`90m`, `12h`) or whole days (`3d`), at least 1s. */
function ttlMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const days = /^(\d+)d$/.exec(value)
  const ms = days ? Number(days[1]) * 86_400_000 : parseDuration(value)
  if (ms === undefined)
    throw usageError(`--ttl ${value} is not a duration`, { hint: 'Use e.g. 2h, 90m or 3d.' })
  if (ms < MIN_TTL_MS)
    throw usageError(`--ttl ${value} is too short: a freeze lasts at least 1s`, {
      hint: 'Use e.g. 2h, 90m or 3d.',
    })
  if (ms > FOREVER_MS)
    throw usageError(`--ttl ${value} is longer than a freeze without --ttl (until \`lock release\`)`, {
      hint: 'Leave --ttl out to freeze until `gwdeploy lock release`, or give at most 3650d.',
    })
  return ms
}

export default class LockAcquire extends BaseCommand<typeof LockAcquire, Result> {
  static override summary = 'Freeze releases: hold the release lock until `lock release` (or --ttl)'
  static override description =
    'While frozen, release, promote, rollback and retire exit 3 naming the reason and who froze. The freeze is ' +
    "stored in the target's own lock (lock file, ALB rule, Lease), shown by `status`, and lifted by `gwdeploy lock release`."
  static override examples = [
    '<%= config.bin %> lock acquire -m "incident 123: hands off production"',
    '<%= config.bin %> lock acquire -m "black friday" --ttl 3d',
  ]
  static override flags = {
    ...configFlags,
    message: Flags.string({
      char: 'm',
      description: 'Why releases must wait (shown to everyone who tries).',
      required: true,
    }),
    ttl: Flags.string({
      description: 'Lift the freeze by itself after this long (default: never).',
      helpValue: 'DURATION',
    }),
  }

  protected async execute(context: RunContext): Promise<Result> {
    // No hooks run and nothing is sent: the release job's hook and notify secrets are not needed.
    const target = await this.openTarget({ file: this.flags.config, env: this.flags.env, readOnly: true })
    try {
      return await freeze(target, {
        reason: this.flags.message,
        ttlMs: ttlMs(this.flags.ttl),
        signal: context.signal,
        warn: context.warn,
      })
    } finally {
      await target.provider.close?.()
    }
  }

  protected override render(result: Result): string {
    return describeFreeze(result.lock)
  }
}
