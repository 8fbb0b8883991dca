import { Flags } from '@oclif/core'
import { BaseCommand, type RunContext } from '../../cli/base-command.ts'
import { configFlags } from '../../cli/flags.ts'
import { parseDuration } from '../../config/duration.ts'
import { usageError } from '../../core/errors.ts'
import {
  DEFAULT_RETRY_AFTER,
  describeMaintenance,
  type MaintenanceResult,
  maintenanceOn,
  maintenancePage,
} from '../../core/maintenance.ts'

/** `--retry-after`: a duration (`2m`), or bare seconds; 0 sends no Retry-After. */
function retryAfterSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : parseDuration(value)
  if (ms === undefined || ms < 0)
    throw usageError(`--retry-after ${value} is not a duration`, {
      hint: 'Use e.g. 120, 90s or 5m; 0 sends none.',
    })
  return Math.ceil(ms / 1000)
}

export default class MaintenanceOn extends BaseCommand<typeof MaintenanceOn, MaintenanceResult> {
  static override summary =
    'Serve a maintenance page (503 + Retry-After) to every client instead of the gateway'
  static override description =
    'The router answers every live request itself (local front proxy, HAProxy, ALB listener rule); the traffic split ' +
    'underneath is kept and `gwdeploy maintenance off` restores it. The preview route is not affected, so a release ' +
    'can run (and be gated) behind the page; it stays up after the release until turned off. Kubernetes routes by ' +
    'Service selector and cannot answer by itself: there the command exits 2. Running it again with another page replaces the page.'
  static override examples = [
    '<%= config.bin %> maintenance on',
    '<%= config.bin %> maintenance on --page maintenance.html --retry-after 10m',
    '<%= config.bin %> maintenance on --page down.json --status 503 --retry-after 0',
  ]
  static override flags = {
    ...configFlags,
    page: Flags.string({
      description:
        'File with the body (.html, .json, .txt; its content type follows the extension). Default: a JSON body {"status":"maintenance","message":...}.',
      helpValue: 'FILE',
    }),
    status: Flags.integer({ description: 'HTTP status of the page (4xx or 5xx).', default: 503 }),
    'retry-after': Flags.string({
      description: `Retry-After clients get (seconds or a duration; 0: none). Default ${DEFAULT_RETRY_AFTER}s. ALB fixed responses cannot carry it.`,
      helpValue: 'DURATION',
    }),
    'content-type': Flags.string({
      description: 'Content type of the page when the extension does not tell.',
    }),
  }

  protected async execute(context: RunContext): Promise<MaintenanceResult> {
    const page = maintenancePage({
      file: this.flags.page,
      status: this.flags.status,
      retryAfter: retryAfterSeconds(this.flags['retry-after']),
      contentType: this.flags['content-type'],
    })
    // No hooks run and nothing is sent: the release job's hook and notify secrets are not needed.
    const target = await this.openTarget({
      file: this.flags.config,
      env: this.flags.env,
      emit: (event) => context.reporter.emit(event),
      readOnly: true,
    })
    try {
      const result = await maintenanceOn(target, page, context.signal)
      for (const warning of result.warnings) context.warn(warning)
      return result
    } finally {
      await target.provider.close?.()
    }
  }

  protected override render(result: MaintenanceResult): string {
    const state = result.maintenance
    if (!state) return 'maintenance: off'
    return `${result.changed ? '' : '(already on) '}${describeMaintenance(state)}`
  }
}
