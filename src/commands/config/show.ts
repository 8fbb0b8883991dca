import { stringify } from 'yaml'
import { BaseCommand } from '../../cli/base-command.ts'
import { configFlags } from '../../cli/flags.ts'
import { loadConfig } from '../../config/load.ts'
import { redact } from '../../config/redact.ts'

export default class ConfigShow extends BaseCommand<typeof ConfigShow, unknown> {
  static override summary =
    'Print the resolved configuration (overlay merged, defaults applied, secrets redacted)'
  static override description = 'Durations are shown in milliseconds, as gwdeploy uses them.'
  static override flags = { ...configFlags }

  protected async execute() {
    const loaded = loadConfig({ file: this.flags.config, env: this.flags.env })
    return redact(loaded.config, loaded.fromEnv)
  }

  protected override render(result: unknown): string {
    return stringify(result)
  }
}
