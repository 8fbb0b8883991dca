/**
 * oclif's `command_not_found` hook: a mistyped command gets the closest real one (exit 2).
 * Loaded only when a command is not found, so it costs nothing on any other run.
 */
import type { Command, Hook } from '@oclif/core'
import { distance } from 'fastest-levenshtein'
import { jsonRequested } from '../json-requested.ts'
import { closestCommand } from '../suggest-command.ts'

const hook: Hook<'command_not_found'> = async function (options) {
  const separator = options.config.topicSeparator
  const typed = options.id.replaceAll(':', separator)
  const known = [
    ...options.config.commands.filter((c) => !c.hidden).map((c) => c.id),
    ...options.config.topics.map((t) => t.name),
  ].map((id) => id.replaceAll(':', separator))
  const bin = options.config.bin
  const { message, hint } =
    extraArgument(typed, separator, options.config.commands, bin) ?? mistyped(typed, known, separator, bin)
  if (process.env.GITHUB_ACTIONS === 'true') {
    // A typo in a workflow step fails like any usage error: annotation, step summary, outcome output.
    const [{ GithubActionsReporter }, { silentReporter }] = await Promise.all([
      import('../reporters/github.ts'),
      import('../../core/events.ts'),
    ])
    new GithubActionsReporter(
      silentReporter,
      process.env.GITHUB_STEP_SUMMARY,
      (line) => process.stderr.write(`${line}\n`),
      `${bin} ${typed}`,
      process.env.GITHUB_OUTPUT,
    ).close({ message, exitCode: 2, hint })
  }
  if (options.argv?.includes('--json') || jsonRequested()) {
    // --json promises exactly one envelope on stdout, also for a command that does not exist.
    const error = { code: 'usage', exitCode: 2, message, hint }
    process.stdout.write(
      `${JSON.stringify({ status: 'error', result: null, warnings: [], error }, null, 2)}\n`,
    )
  } else {
    // Our own error format (one unwrapped line, then the hint), like every other usage error.
    process.stderr.write(`Error: ${message}\nhint: ${hint}\n`)
  }
  this.exit(2)
}

export default hook

/** `gwdeploy gateway check gateway.json`: a topic command given an argument it does not take. */
function extraArgument(typed: string, separator: string, commands: Command.Loadable[], bin: string) {
  const command = commands
    .filter((c) => !c.hidden && typed.startsWith(`${c.id.replaceAll(':', separator)}${separator}`))
    .sort((a, b) => b.id.length - a.id.length)[0]
  if (!command) return undefined
  const name = command.id.replaceAll(':', separator)
  const extra = typed.slice(name.length + separator.length)
  const config = /\.(json|ya?ml)$/i.test(extra)
    ? Object.values(command.flags).find((flag) => flag.name === 'config')
    : undefined
  return {
    message: `"${bin} ${name}" takes no argument "${extra}".`,
    hint: config
      ? `Name the file with --config: \`${bin} ${name} ${config.char ? `-${config.char}` : '--config'} ${extra}\`.`
      : `See \`${bin} ${name} --help\`.`,
  }
}

function mistyped(typed: string, known: string[], separator: string, bin: string) {
  const suggestion = closestCommand(typed, known, distance)
  return {
    message: `"${typed}" is not a ${bin} command.${suggestion ? ` Did you mean "${bin} ${suggestion}"?` : ''}`,
    // `gwdeploy -e production status`: oclif reads a flag before the command as the command.
    hint: typed.startsWith('-')
      ? `Flags go after the command: \`${bin} status ${typed.split(separator)[0]} ...\`. See \`${bin} help\` for every command.`
      : `See \`${bin} help\` for every command.`,
  }
}
