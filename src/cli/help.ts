import { type Command, Help } from '@oclif/core'
import { renderExitCodeTable } from '../core/exit-codes.ts'

const exitCodes = () => `EXIT CODES\n${renderExitCodeTable()}`

/** oclif's help plus the exit-code table, on the root help and every command's help. */
export default class GwHelp extends Help {
  /** Piped or in CI, nothing knows the reader's width: no hard wrapping mid-sentence (a terminal gets its width). */
  constructor(
    config: ConstructorParameters<typeof Help>[0],
    options: ConstructorParameters<typeof Help>[1] = {},
  ) {
    const unwrapped = !process.stdout.isTTY && !process.env.OCLIF_COLUMNS
    super(config, unwrapped && options.maxWidth === undefined ? { ...options, maxWidth: 10_000 } : options)
  }

  override formatRoot(): string {
    return `${super.formatRoot()}\n\n${exitCodes()}`
  }

  protected override formatCommand(command: Command.Loadable): string {
    return `${super.formatCommand(command)}\n${exitCodes()}\n`
  }
}
