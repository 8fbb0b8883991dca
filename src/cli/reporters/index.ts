import { type Reporter, silentReporter } from '../../core/events.ts'
import { GithubActionsReporter } from './github.ts'
import { PlainReporter } from './plain.ts'
import { TtyReporter } from './tty.ts'

export interface ReporterChoice {
  json: boolean
  env?: NodeJS.ProcessEnv
  stderr?: NodeJS.WriteStream
  title?: string
}

/** Nothing under --json; a live list on a TTY; plain lines in CI or when piped; plus GitHub's summary. */
export function chooseReporter({
  json,
  env = process.env,
  stderr = process.stderr,
  title,
}: ReporterChoice): Reporter {
  const base: Reporter = json
    ? silentReporter
    : stderr.isTTY && !env.CI
      ? new TtyReporter(stderr)
      : new PlainReporter((line) => stderr.write(`${line}\n`))
  if (env.GITHUB_ACTIONS === 'true') {
    return new GithubActionsReporter(
      base,
      env.GITHUB_STEP_SUMMARY,
      (line) => stderr.write(`${line}\n`),
      title,
    )
  }
  return base
}
