import { type Command, Help } from '@oclif/core'
import { renderExitCodeTable } from '../core/exit-codes.ts'
import { jsonRequested } from './json-requested.ts'

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

  /** Help asked for with --json (`status --help --json`, `help --json`, `lock --json`): printed in one envelope. */
  #captured: string[] | undefined

  override async showHelp(argv: string[]): Promise<void> {
    if (!jsonRequested()) return super.showHelp(argv)
    this.#captured = []
    try {
      await super.showHelp(argv)
    } finally {
      const help = this.#captured.join('\n').replace(/\n+$/, '\n')
      this.#captured = undefined
      process.stdout.write(`${JSON.stringify({ status: 'ok', result: { help }, warnings: [] }, null, 2)}\n`)
    }
  }

  protected override log(...args: string[]): void {
    if (this.#captured) this.#captured.push(args.join(' '))
    else super.log(...args)
  }

  override formatRoot(): string {
    return `${super.formatRoot()}\n\n${exitCodes()}`
  }

  protected override formatCommand(command: Command.Loadable): string {
    return `${super.formatCommand(command)}\n${exitCodes()}\n`
  }
}
