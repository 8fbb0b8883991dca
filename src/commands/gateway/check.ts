import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.ts'
import { usageError } from '../../core/errors.ts'

export default class GatewayCheck extends BaseCommand<typeof GatewayCheck> {
  static override summary = 'Check a KrakenD v3 gateway configuration (placeholder until the runtime lands)'
  static override flags = {
    config: Flags.string({ char: 'c', description: 'gateway config file', required: true }),
  }

  protected async execute() {
    throw usageError(`not implemented yet: ${this.flags.config}`, { hint: 'wait for it' })
  }
}
