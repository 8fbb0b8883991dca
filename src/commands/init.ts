import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.ts'
import { type InitResult, initProject } from '../config/init.ts'
import { CI_KINDS } from '../config/init-files.ts'
import { PROVIDER_KINDS } from '../config/schema.ts'

export default class Init extends BaseCommand<typeof Init, InitResult> {
  static override summary =
    'Write a starter gwdeploy.yml, a KrakenD v3 gateway.json and optionally a CI pipeline'
  static override description =
    'Never overwrites an existing file unless --force is given; then nothing is written at all.'
  static override examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init --provider haproxy --ci github',
  ]
  static override flags = {
    provider: Flags.string({
      options: [...PROVIDER_KINDS],
      default: 'local',
      description: 'Provider section to write.',
    }),
    ci: Flags.string({
      options: [...CI_KINDS],
      description: 'Also write a pipeline that runs `gwdeploy release --sha $SHA`.',
    }),
    service: Flags.string({ description: 'Service name (default: from the directory name).' }),
    force: Flags.boolean({ description: 'Overwrite existing files.' }),
  }

  protected async execute() {
    return initProject({
      dir: process.cwd(),
      provider: this.flags.provider as (typeof PROVIDER_KINDS)[number],
      ci: this.flags.ci as (typeof CI_KINDS)[number] | undefined,
      service: this.flags.service,
      force: this.flags.force,
    })
  }

  protected override render(result: InitResult): string {
    const lines = result.written.map((path) => `  wrote ${path}`)
    lines.push('', 'Next: gwdeploy config validate, then gwdeploy release --sha $(git rev-parse HEAD)')
    return lines.join('\n')
  }
}
