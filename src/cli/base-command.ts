import { Command, Flags, type Interfaces } from '@oclif/core'
import { formatError, GwError, interruptedError, isGwError } from '../core/errors.ts'
import type { EngineEvent, Reporter } from '../core/events.ts'
import { ExitCode, type ExitCodeValue } from '../core/exit-codes.ts'
import { locatedInProject, type ProjectLocator } from '../core/project-location.ts'
import type { OpenTargetOptions, Target } from '../core/target.ts'
import { chooseReporter } from './reporters/index.ts'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

export interface Envelope<R> {
  status: 'ok' | 'error'
  result: R | null
  warnings: string[]
  error?: {
    code: string
    exitCode: number
    message: string
    location?: unknown
    problems?: unknown[]
    hint?: string
    details?: Record<string, unknown>
  }
}

export interface RunContext {
  reporter: Reporter
  /** Aborted on SIGINT/SIGTERM/SIGHUP so the operation can clean up (locks, half-started work). */
  signal: AbortSignal
  warn(message: string): void
  json: boolean
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

const debugEnabled = () => /(^|,)\s*gwdeploy(\*|\b)/.test(process.env.DEBUG ?? '')

/**
 * Shared by every command: `--json` with one envelope, the documented exit codes (kept under
 * --json), errors that say what/where/how, signals forwarded to the running operation.
 * Subclasses implement `execute` (call into src/core; no logic here) and `render`.
 */
export abstract class BaseCommand<T extends typeof Command, R = unknown> extends Command {
  static override baseFlags = {
    json: Flags.boolean({
      description: 'Print one JSON envelope {status, result, warnings} on stdout; progress is silenced.',
      helpGroup: 'GLOBAL',
    }),
  }

  protected flags!: BaseFlags<T>
  protected args!: BaseArgs<T>
  protected warnings: string[] = []
  #reporter: Reporter | undefined
  #locate: ProjectLocator | undefined
  #abort = new AbortController()
  /** What the engine said it left behind (traffic, the lock), for the error envelope. */
  #afterStop: {
    reverted?: Extract<EngineEvent, { type: 'reverted' }>
    lock?: Extract<EngineEvent, { type: 'lock' }>
  } = {}
  #signalCount = 0
  #onSignal = (signal: NodeJS.Signals) => {
    this.#signalCount += 1
    // On a terminal after the ^C the shell echoed; in a CI log a timestamped line like the others.
    const lead = process.stderr.isTTY ? '\n' : `${new Date().toISOString()} `
    if (this.#signalCount > 1) {
      process.stderr.write(`${lead}${signal} again: exiting now without cleanup\n`)
      process.exit(ExitCode.interrupted)
    }
    // Under --json the error envelope says it (exit 130, what the stop left behind).
    if (!this.jsonMode)
      process.stderr.write(`${lead}${signal}: stopping and cleaning up (send again to exit at once)\n`)
    this.#abort.abort(interruptedError(signal))
  }

  /** The reader of stdout went away (`--watch | head -1`): stop as for Ctrl-C; bin/run.js drops the rest. */
  #onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' && !this.#abort.signal.aborted) this.#abort.abort(interruptedError('SIGPIPE'))
  }

  protected abstract execute(context: RunContext): Promise<R>

  /** Human output on stdout for a successful result; return undefined to print nothing. */
  protected render(_result: R): string | undefined {
    return undefined
  }

  /** Opens the target; an error that names one of its gwdeploy.yml keys is then shown at its line. */
  protected async openTarget(options: OpenTargetOptions): Promise<Target> {
    // Imported here: the target pulls in the providers, which help and `config validate` never need.
    const { openTarget } = await import('../core/target.ts')
    // What the provider warns about while it reads the target (a colour serving without a record, a
    // hand edit) is a warning of the run, said once however often --watch reads it again.
    const warn = (event: EngineEvent) => {
      if (event.type !== 'warn' || this.warnings.includes(event.message)) return
      this.warnings.push(event.message)
      this.#reporter?.emit(event)
    }
    const target = await openTarget({ emit: warn, ...options })
    this.#locate = target.locate
    return target
  }

  protected get jsonMode(): boolean {
    return this.flags?.json ?? this.argv.includes('--json')
  }

  public override async init(): Promise<void> {
    await super.init()
    const { flags, args } = await this.parse(this.ctor)
    this.flags = flags as BaseFlags<T>
    this.args = args as BaseArgs<T>
  }

  public async run(): Promise<R> {
    // SIGHUP: the terminal went away (ssh dropped); stop and clean up as for Ctrl-C.
    for (const signal of STOP_SIGNALS) process.on(signal, this.#onSignal)
    process.stdout.on('error', this.#onStdoutError)
    const json = this.jsonMode
    this.#reporter = this.createReporter(json)
    const context: RunContext = {
      reporter: this.#reporter,
      signal: this.#abort.signal,
      json,
      warn: (message) => {
        this.warnings.push(message)
        this.#reporter?.emit({ type: 'warn', message })
      },
    }
    const wrapped: Reporter = {
      emit: (event) => {
        if (event.type === 'warn') this.warnings.push(event.message)
        if (event.type === 'reverted') this.#afterStop.reverted = event
        if (event.type === 'lock') this.#afterStop.lock = event
        context.reporter.emit(event)
      },
      close: (error) => context.reporter.close(error),
    }
    const result = await this.execute({ ...context, reporter: wrapped })
    this.#reporter.close()
    this.#reporter = undefined
    if (json) this.writeJson({ status: 'ok', result, warnings: this.warnings })
    else {
      const text = this.render(result)
      if (text !== undefined && text !== '') process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
    }
    return result
  }

  protected createReporter(json: boolean): Reporter {
    return chooseReporter({ json, title: `gwdeploy ${(this.id ?? '').replaceAll(':', ' ')}`.trim() })
  }

  protected writeJson(envelope: Envelope<R>): void {
    process.stdout.write(`${JSON.stringify(envelope, null, 2)}\n`)
  }

  public override async catch(error: Error & { oclif?: { exit?: number } }): Promise<void> {
    // A failed parse is reported below; stop oclif from also warning that we never parsed.
    this.parsed = true
    const gwError = toGwError(locatedInProject(error, this.#locate), this.ctor.flags)
    if (gwError === undefined) {
      // oclif's own exits (help, version) pass through untouched.
      throw error
    }
    // A failure before run() (flag parsing) still gets its annotation in GitHub Actions.
    const reporter = this.#reporter ?? this.createReporter(this.jsonMode)
    reporter.close({
      message: gwError.message,
      exitCode: gwError.exitCode,
      problems: gwError.problems,
      ...(gwError.location ? { location: gwError.location } : {}),
      ...(gwError.hint ? { hint: gwError.hint } : {}),
    })
    this.#reporter = undefined
    if (this.jsonMode) {
      const details = { ...gwError.details, ...this.#leftBehind() }
      this.writeJson({
        status: 'error',
        result: null,
        warnings: this.warnings,
        error: {
          code: gwError.code,
          exitCode: gwError.exitCode,
          message: gwError.message,
          ...(gwError.location ? { location: gwError.location } : {}),
          ...(gwError.problems.length ? { problems: gwError.problems } : {}),
          ...(gwError.hint ? { hint: gwError.hint } : {}),
          ...(Object.keys(details).length ? { details } : {}),
        },
      })
    } else {
      process.stderr.write(`Error: ${formatError(gwError)}\n`)
      if (debugEnabled() || gwError.exitCode === ExitCode.bug) {
        const stack = (gwError.cause as Error | undefined)?.stack ?? gwError.stack
        if (debugEnabled() && stack) process.stderr.write(`${stack}\n`)
      }
    }
    process.exitCode = gwError.exitCode
  }

  /** `reverted` (where traffic is, the idle colour) and `lock`, as the engine reported them. */
  #leftBehind(): Record<string, unknown> {
    const { reverted, lock } = this.#afterStop
    const out: Record<string, unknown> = {}
    if (reverted) {
      const { type: _type, ...state } = reverted
      out.reverted = state
    }
    if (lock) out.lock = { state: lock.state, ...(lock.detail ? { detail: lock.detail } : {}) }
    return out
  }

  public override async finally(error: Error | undefined): Promise<void> {
    for (const signal of STOP_SIGNALS) process.off(signal, this.#onSignal)
    process.stdout.off('error', this.#onStdoutError)
    await super.finally(error)
  }
}

const SYSTEM_FAILURES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EMFILE', 'ENFILE', 'EACCES', 'EPERM'])

/** Maps anything thrown to a GwError with the documented exit code; undefined for oclif's own exits. */
export function toGwError(
  error: unknown,
  flags: Record<string, { char?: string | undefined }> = {},
): GwError | undefined {
  if (isGwError(error)) return error
  const oclifExit = (error as { oclif?: { exit?: number } } | undefined)?.oclif?.exit
  const name = (error as Error | undefined)?.name
  if (name === 'ExitError' || (oclifExit === 0 && name !== 'CLIError')) return undefined
  if (oclifExit !== undefined) {
    const message = (error as Error).message
      .replace(/^The following errors? occurred:\s*/, '')
      .replace(/\n\s*See more help with --help$/, '')
      .trim()
      // One line, as every other error (and an ::error:: annotation) has: `Parsing --weight: Expected ...`.
      .replace(/^(Parsing --\S+)\s*\n\s*/, '$1: ')
      // oclif lists a missing argument as "name  description" under a heading line.
      .replace(/^Missing \d+ required args?:\s*\n\s*(\S+)\s+(.+)$/s, 'Missing required argument $1: $2')
      .replace(/\s*\n\s*/g, '; ')
      // oclif names a flag by its long name alone ("Missing required flag message"): name it as typed.
      .replace(/^(Missing required flag |Parsing --|Flag --)([\w-]+)/, (_, lead: string, name: string) => {
        const char = flags[name]?.char
        return `${lead.replace(/--$/, '')}--${name}${char ? ` (-${char})` : ''}`
      })
    return new GwError('usage', ExitCode.usage as ExitCodeValue, message, { hint: 'See --help for usage.' })
  }
  const message = error instanceof Error ? error.message : String(error)
  const errno = (error as NodeJS.ErrnoException | undefined)?.code
  if (errno && SYSTEM_FAILURES.has(errno)) {
    // The machine, not gwdeploy: a full or read-only disk, too many open files, a file it may not use.
    return new GwError('provider', ExitCode.provider, `system error: ${message}`, {
      cause: error,
      hint:
        errno === 'EMFILE' || errno === 'ENFILE'
          ? 'Raise the open-file limit (ulimit -n) and re-run.'
          : errno === 'EACCES' || errno === 'EPERM'
            ? 'Run gwdeploy as a user that may read and write the file named (the state directory, provider.*.stateDir, and what gwdeploy.yml points at), then re-run: the release converges.'
            : 'Free space or fix the file system of the state directory (provider.local.stateDir), then re-run: the release converges.',
    })
  }
  return new GwError('bug', ExitCode.bug, `unexpected error: ${message}`, {
    cause: error,
    hint: 'This is a bug in gwdeploy. Re-run with DEBUG=gwdeploy* for the stack trace and report it.',
  })
}
