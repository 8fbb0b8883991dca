import { BaseCommand, type RunContext } from '../../cli/base-command.ts'
import { configFlags } from '../../cli/flags.ts'
import { type ValidationSummary, validateProjectConfig } from '../../config/validate-project.ts'
import { formatProblem } from '../../core/errors.ts'

export default class ConfigValidate extends BaseCommand<typeof ConfigValidate, ValidationSummary> {
  static override summary = 'Validate gwdeploy.yml (and an --env overlay); reports every problem at once'
  static override description =
    'Checks types, unknown keys (with suggestions), durations, environment variable references and that the gateway config file exists. ' +
    'Also what the nodes would refuse at start: an unset fleet.env fromEnv variable, an unreadable secret file (local), a KRAKEND_* override the runtime refuses. ' +
    'Each problem is reported with file:line:column and its key path, those of gwdeploy.yml and of the gateway config in one run. The gateway config is checked as `release` checks it before anything runs ' +
    '(endpoints, backends, components; a flexible config rendered), so a config release would refuse is never reported valid.'
  static override examples = [
    '<%= config.bin %> config validate',
    '<%= config.bin %> config validate -e production --json',
  ]
  static override flags = { ...configFlags }

  protected async execute(context: RunContext) {
    // What release warns about is said here too: valid, but not what it looks like (exit 0).
    return validateProjectConfig({
      file: this.flags.config,
      env: this.flags.env,
      warn: (problem) => context.warn(formatProblem(problem)),
    })
  }

  protected override render(result: ValidationSummary): string {
    const warned = this.warnings.length
    return `✔ ${result.files.join(' + ')} and ${result.gatewayConfig} are valid: service ${result.service}, provider ${result.provider}, ${result.fleetSize} node(s) per colour${warned ? ` (${warned} warning${warned === 1 ? '' : 's'} above)` : ''}`
  }
}
