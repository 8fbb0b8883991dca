import { Flags } from '@oclif/core'
import { BaseCommand, type Envelope, type RunContext } from '../cli/base-command.ts'
import { configFlags } from '../cli/flags.ts'
import { durationFlag, flagUnhealthy, statusLoops, waitFlags } from '../cli/status-wait.ts'
import { providerError, usageError } from '../core/errors.ts'
import { rollbackLine } from '../core/fleetless.ts'
import { describeFreeze, isFreeze } from '../core/freeze.ts'
import { isUnreadableLock } from '../core/lock.ts'
import { describeMaintenance } from '../core/maintenance.ts'
import { type StatusResult, status } from '../core/operations.ts'
import { nothingServedError } from '../core/wait.ts'
import { sleep } from '../health/gate.ts'

export function renderStatus(s: StatusResult): string {
  const lines = [`${s.service} on ${s.provider}${s.env ? ` (${s.env})` : ''}`]
  lines.push(
    `router: ${s.router.present ? 'up' : 'down'}${s.endpoint ? `  ${s.endpoint}` : ''}${s.preview ? `  preview ${s.preview}` : ''}${s.router.detail ? `  (${s.router.detail})` : ''}`,
  )
  if (!s.served && s.serving)
    lines.push(
      `traffic: nothing is served (the router is down; recorded: blue ${s.weights.blue}% / green ${s.weights.green}%)`,
    )
  else lines.push(`traffic: blue ${s.weights.blue}% / green ${s.weights.green}%`)
  if (s.destroyed)
    lines.push(
      `destroyed at ${s.destroyed.time}${s.destroyed.holder ? ` by ${s.destroyed.holder}` : ''}: nothing is deployed; ${s.destroyed.ways}`,
    )
  else if (s.colours.length === 0) lines.push('no fleets: run `gwdeploy release`')
  for (const c of s.colours) {
    const keep = c.keepUntil
      ? `, kept until ${c.keepUntil}${Date.parse(c.keepUntil) < Date.now() ? ' (expired: `gwdeploy retire`)' : ''}`
      : ''
    const dead = c.noLiveNode ? ', NO LIVE NODE' : ''
    lines.push(`${c.colour} [${c.role} ${c.weight}%] ${c.sha.slice(0, 7)} "${c.configName}"${keep}${dead}`)
    for (const n of c.nodes) {
      const own = n.health
        ? n.health.ok
          ? `healthy, name "${n.health.name}"`
          : n.health.detail
        : 'not reachable'
      const revoker = n.meta?.revoker !== undefined ? `  revoker: ${n.meta.revoker}` : ''
      lines.push(`  ${n.id}  ${n.address ?? ''}  provider: ${n.provider}  health: ${own}${revoker}`)
    }
  }
  for (const f of s.fleetless ?? [])
    lines.push(`${f.colour} [${f.weight > 0 ? `NO NODES ${f.weight}%` : 'kept, NO NODES'}] ${f.why}`)
  if (s.rollback) lines.push(`rollback: ${rollbackLine(s.rollback)}`)
  if (s.maintenance)
    lines.push(
      `${describeMaintenance(s.maintenance)}${s.router.present ? '' : ' (but the router is down: clients get no answer at all)'}`,
    )
  else if (s.maintenance === null) lines.push('maintenance: off')
  if (isFreeze(s.lock)) lines.push(describeFreeze(s.lock))
  const unreadable: boolean = isUnreadableLock(s.lock)
  lines.push(
    unreadable
      ? `lock: UNREADABLE (${s.lock?.unreadable}): releases refuse to take it over (exit 6); \`gwdeploy lock release --force\` clears it`
      : s.lock
        ? `lock: held by ${s.lock.holder}${s.lock.operation ? ` (${s.lock.operation})` : ''}, expires ${s.lock.expiresAt}${s.lock.dead ? ` (DEAD: its process on this host is gone; ${s.lock.takeover})` : s.lock.expired ? ' (expired)' : ''}`
        : 'lock: free',
  )
  if (s.lastRelease) lines.push(`last release: ${s.lastRelease.sha?.slice(0, 7)} at ${s.lastRelease.time}`)
  return lines.join('\n')
}

/**
 * A flag that would do nothing is refused (exit 2): `status --timeout 5m` in a pipeline that meant
 * to wait would otherwise print the status at once and exit 0, as if the target were live.
 */
function refuseIdleFlags(flags: {
  watch?: boolean
  'wait-for'?: string
  timeout?: string
  interval?: string
}): void {
  const hint = 'Add --wait-for live|healthy|preview to wait for a state (see `gwdeploy status --help`).'
  if (flags['wait-for'] && flags.watch)
    throw usageError('--wait-for and --watch do not go together', {
      hint: '--wait-for waits for one state and exits (0, 4, 6 or 7); --watch shows every change until Ctrl-C.',
    })
  if (flags.timeout !== undefined && !flags['wait-for'])
    throw usageError(`--timeout ${flags.timeout} does nothing without --wait-for`, { hint })
  if (flags.interval !== undefined && !flags['wait-for'] && !flags.watch)
    throw usageError(`--interval ${flags.interval} does nothing without --wait-for or --watch`, { hint })
}

export default class Status extends BaseCommand<typeof Status, StatusResult> {
  static override summary = 'Show colours, SHAs, config names, weights, per-node health and the lock'
  static override flags = {
    ...configFlags,
    watch: Flags.boolean({
      char: 'w',
      description:
        'Redraw every --interval (2 s) until interrupted; with --json, one JSON object per line each time something changes.',
    }),
    ...waitFlags,
  }

  protected async execute(context: RunContext): Promise<StatusResult> {
    refuseIdleFlags(this.flags)
    const target = await this.openTarget({ file: this.flags.config, env: this.flags.env, readOnly: true })
    if (this.flags['wait-for'] || (this.flags.watch && context.json))
      return statusLoops(target, this.flags, context)
    // Ctrl-C stops a status mid-call (exit 130); once --watch has drawn one, it ends its redraws
    // with exit 0 below, also when it stops a read in flight.
    let result = await status(target, context.signal, context.warn)
    if (!this.flags.watch) {
      this.#served(result, context)
      flagUnhealthy(result, context)
      this.#readable(result, context)
      return result
    }
    flagUnhealthy(result, context)
    const intervalMs = durationFlag('interval', this.flags.interval, 2_000)
    // Clearing the screen is for a terminal; piped (a CI log) each redraw is a timestamped snapshot.
    const terminal = process.stdout.isTTY && process.env.TERM !== 'dumb'
    while (!context.signal.aborted) {
      const head = terminal ? '\x1b[2J\x1b[H' : `${new Date().toISOString()}\n`
      process.stdout.write(`${head}${renderStatus(result)}\n`)
      try {
        await sleep(intervalMs, context.signal)
      } catch {
        break
      }
      try {
        result = await status(target, context.signal)
      } catch (error) {
        if (context.signal.aborted) break
        throw error
      }
    }
    process.exitCode = 0
    return result
  }

  /** A target that should serve but serves nothing is a failure (exit 6), shown whole. */
  #served(result: StatusResult, context: RunContext): void {
    const nothing = nothingServedError(result)
    if (!nothing) return
    if (!context.json) process.stdout.write(`${renderStatus(result)}\n`)
    throw nothing
  }

  /**
   * A part of the router that could not be read (one of several HAProxy instances down), or one that
   * answers some requests with no backend: the rest is shown, and the run fails (exit 6) naming it.
   */
  #readable(result: StatusResult, context: RunContext): void {
    const [first, ...more] = [...(result.router.unreadable ?? []), ...(result.router.unrouted ?? [])]
    if (!first) return
    if (!context.json) process.stdout.write(`${renderStatus(result)}\n`)
    for (const part of more) context.warn(part.message)
    throw providerError(first.message, {
      ...(first.hint ? { hint: first.hint } : {}),
      details: { status: result },
    })
  }

  protected override render(result: StatusResult): string {
    return renderStatus(result)
  }

  /** `--watch --json` streams one object per line: the closing envelope is one line too. */
  protected override writeJson(envelope: Envelope<StatusResult>): void {
    if (this.flags?.watch) process.stdout.write(`${JSON.stringify(envelope)}\n`)
    else super.writeJson(envelope)
  }
}
