import { Args, Command } from '@oclif/core'
import GwHelp from '../cli/help.ts'

export default class HelpCommand extends Command {
  static override summary = 'Show help for gwdeploy or for one of its commands'
  static override examples = ['<%= config.bin %> help release', '<%= config.bin %> help lock acquire']
  static override strict = false
  static override args = {
    command: Args.string({
      description: 'The command (several words for a topic command).',
      required: false,
    }),
  }

  async run(): Promise<void> {
    const words = this.argv.filter((arg) => !arg.startsWith('-'))
    const id = words.join(':')
    if (id && !this.config.findCommand(id) && !this.config.findTopic(id)) {
      // The same answer as a mistyped command (the command_not_found hook): suggestion, exit 2.
      await this.config.runCommand(id)
      return
    }
    await new GwHelp(this.config).showHelp(words)
  }
}
