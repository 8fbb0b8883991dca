import { BaseCommand, type RunContext } from '../../cli/base-command.ts'
import { configFlags } from '../../cli/flags.ts'
import { type MaintenanceResult, maintenanceOff } from '../../core/maintenance.ts'

export default class MaintenanceOff extends BaseCommand<typeof MaintenanceOff, MaintenanceResult> {
  static override summary = 'Stop serving the maintenance page: route traffic with the split kept underneath'
  static override examples = ['<%= config.bin %> maintenance off']
  static override flags = { ...configFlags }

  protected async execute(context: RunContext): Promise<MaintenanceResult> {
    // No hooks run and nothing is sent: the release job's hook and notify secrets are not needed.
    const target = await this.openTarget({
      file: this.flags.config,
      env: this.flags.env,
      emit: (event) => context.reporter.emit(event),
      readOnly: true,
    })
    try {
      return await maintenanceOff(target, context.signal)
    } finally {
      await target.provider.close?.()
    }
  }

  protected override render(result: MaintenanceResult): string {
    return result.changed ? 'maintenance: off (routing again)' : 'maintenance: already off'
  }
}
