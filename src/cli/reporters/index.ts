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

/**
 * Nothing under --json; the live view on a TTY (not in CI, not on TERM=dumb, which cannot move
 * the cursor); plain timestamped lines otherwise; plus GitHub's groups, summary and outputs.
 */
export function chooseReporter({
  json,
  env = process.env,
  stderr = process.stderr,
  title,
}: ReporterChoice): Reporter {
  const base: Reporter = json
    ? silentReporter
    : stderr.isTTY && !env.CI && env.TERM !== 'dumb'
      ? new TtyReporter(stderr, { env })
      : new PlainReporter((line) => stderr.write(`${line}\n`))
  if (env.GITHUB_ACTIONS === 'true') {
    return new GithubActionsReporter(
      base,
      env.GITHUB_STEP_SUMMARY,
      (line) => stderr.write(`${line}\n`),
      title,
      env.GITHUB_OUTPUT,
    )
  }
  return base
}
