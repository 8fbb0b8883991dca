import { Args, Flags } from '@oclif/core'
import { BaseCommand, type RunContext } from '../cli/base-command.ts'
import { configFlags } from '../cli/flags.ts'
import { type RevokeResult, revoke } from '../core/revoke.ts'

export default class Revoke extends BaseCommand<typeof Revoke, RevokeResult> {
  static override summary = "Revoke tokens on every node (auth/revoker), or --check whether they're refused"
  static override description =
    'Sends auth/revoker\'s Add (claim "CLAIM-VALUE", as the gateway looks it up) to every node that is up, of both ' +
    "colours, over its Go net/rpc port; a claim that is not one of the live config's token_keys is exit 2. Takes no " +
    'lock: adding is idempotent, and a release carries what the serving nodes hold into its new colour. A node that ' +
    'does not answer is exit 6 (the others took it; run it again). Not on aws: its instances are not reachable from here.'
  static override examples = [
    '<%= config.bin %> revoke jti=4f1c9e2a',
    '<%= config.bin %> revoke jti=4f1c9e2a sub=mallory --check --json',
  ]
  static override strict = false
  static override args = {
    claims: Args.string({ description: 'CLAIM=VALUE, one or more (e.g. jti=4f1c9e2a).', required: true }),
  }
  static override flags = {
    ...configFlags,
    check: Flags.boolean({ description: 'Only ask every node whether it refuses them; change nothing.' }),
  }

  protected async execute(context: RunContext): Promise<RevokeResult> {
    const { argv } = await this.parse(Revoke)
    const claims = argv.map(String)
    const target = await this.openTarget({
      file: this.flags.config,
      env: this.flags.env,
      allowMissingEnv: true,
    })
    try {
      return await revoke(
        { target, reporter: context.reporter, signal: context.signal },
        {
          claims,
          check: this.flags.check,
        },
      )
    } finally {
      await target.provider.close?.()
    }
  }

  protected override render(result: RevokeResult): string {
    const rows = result.nodes.map((n) => {
      const what = n.checks
        ? result.elements.map((e, i) => `${e} ${n.checks?.[i] ? 'refused' : 'NOT refused'}`).join(', ')
        : 'revoked'
      return `${n.colour} ${n.node} (${n.address}): ${what}`
    })
    return rows.join('\n')
  }
}
