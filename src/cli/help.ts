import { type Command, Help } from '@oclif/core'
import { renderExitCodeTable } from '../core/exit-codes.ts'

const exitCodes = () => `EXIT CODES\n${renderExitCodeTable()}`

/** oclif's help plus the exit-code table, on the root help and every command's help. */
export default class GwHelp extends Help {
  override formatRoot(): string {
    return `${super.formatRoot()}\n\n${exitCodes()}`
  }

  protected override formatCommand(command: Command.Loadable): string {
    return `${super.formatCommand(command)}\n${exitCodes()}\n`
  }
}
