import { type Command, CommandHelp, Help } from '@oclif/core'
import { renderExitCodeTable } from '../core/exit-codes.ts'

const exitCodes = () => `EXIT CODES\n${renderExitCodeTable()}`

/**
 * oclif passes every description, summary and flag text through ejs, which compiles each into a
 * new function: most of the time help spends rendering. Only texts with a tag (`<%= config.bin %>`)
 * need it; ejs returns the others unchanged.
 */
const ejsOnlyForTemplates =
  (render: (input: string) => string) =>
  (input: string): string =>
    input.includes('<%') ? render(input) : input

class GwCommandHelp extends CommandHelp {
  constructor(...args: ConstructorParameters<typeof CommandHelp>) {
    super(...args)
    this.render = ejsOnlyForTemplates(this.render)
  }
}

/** oclif's help plus the exit-code table, on the root help and every command's help. */
export default class GwHelp extends Help {
  protected override CommandHelpClass: typeof CommandHelp = GwCommandHelp

  /** Piped or in CI, nothing knows the reader's width: no hard wrapping mid-sentence (a terminal gets its width). */
  constructor(
    config: ConstructorParameters<typeof Help>[0],
    options: ConstructorParameters<typeof Help>[1] = {},
  ) {
    const unwrapped = !process.stdout.isTTY && !process.env.OCLIF_COLUMNS
    super(config, unwrapped && options.maxWidth === undefined ? { ...options, maxWidth: 10_000 } : options)
    this.render = ejsOnlyForTemplates(this.render)
  }

  override formatRoot(): string {
    return `${super.formatRoot()}\n\n${exitCodes()}`
  }

  protected override formatCommand(command: Command.Loadable): string {
    return `${super.formatCommand(command)}\n${exitCodes()}\n`
  }
}
