import { ExitCode, type ExitCodeValue } from './exit-codes.ts'

/** Where a problem is: a file position and/or a key path inside a document. */
export interface Location {
  file?: string
  line?: number
  column?: number
  /** Dot/bracket path inside the document, e.g. `shift.steps[1]` or `endpoints[2].backend[0].host`. */
  path?: string
}

export interface Problem {
  message: string
  location?: Location
  hint?: string
}

export interface GwErrorOptions {
  location?: Location
  hint?: string
  problems?: Problem[]
  details?: Record<string, unknown>
  cause?: unknown
}

/**
 * Every error gwdeploy means to show a user: what happened, where, and what to do.
 * Anything that is not a GwError reaching the CLI is a bug (exit 1).
 */
export class GwError extends Error {
  readonly exitCode: ExitCodeValue
  readonly code: string
  readonly location: Location | undefined
  readonly hint: string | undefined
  readonly problems: Problem[]
  readonly details: Record<string, unknown>

  constructor(code: string, exitCode: ExitCodeValue, message: string, options: GwErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'GwError'
    this.code = code
    this.exitCode = exitCode
    this.location = options.location
    this.hint = options.hint
    this.problems = options.problems ?? []
    this.details = options.details ?? {}
  }
}

export const usageError = (message: string, options?: GwErrorOptions) =>
  new GwError('usage', ExitCode.usage, message, options)

export const configError = (message: string, options?: GwErrorOptions) =>
  new GwError('config', ExitCode.usage, message, options)

export const lockHeldError = (message: string, options?: GwErrorOptions) =>
  new GwError('lock_held', ExitCode.lockHeld, message, options)

export const healthGateError = (message: string, options?: GwErrorOptions) =>
  new GwError('health_gate', ExitCode.healthGate, message, options)

export const rolledBackError = (message: string, options?: GwErrorOptions) =>
  new GwError('rolled_back', ExitCode.rolledBack, message, options)

export const providerError = (message: string, options?: GwErrorOptions) =>
  new GwError('provider', ExitCode.provider, message, options)

export const interruptedError = (signal: string) =>
  new GwError('interrupted', ExitCode.interrupted, `interrupted by ${signal}`, {
    hint: 'Re-run the same command; a release, rollback or promote converges from where it stopped.',
  })

function formatLocation(location: Location | undefined): string {
  if (!location) return ''
  let out = location.file ?? ''
  if (location.file && location.line !== undefined) {
    out += `:${location.line}`
    if (location.column !== undefined) out += `:${location.column}`
  }
  if (location.path) out += out ? ` (${location.path})` : location.path
  return out
}

export function formatProblem(problem: Problem): string {
  const where = formatLocation(problem.location)
  const head = where ? `${where}: ${problem.message}` : problem.message
  return problem.hint ? `${head}\n    hint: ${problem.hint}` : head
}

/** The text shown for an error: message, location, every problem, then the hint. */
export function formatError(error: GwError): string {
  const { location } = error
  // A file the message names already ("cannot read gateway.json: ...") is not said twice.
  const named =
    location?.file !== undefined &&
    location.line === undefined &&
    location.path === undefined &&
    error.message.includes(location.file)
  const where = named ? '' : formatLocation(location)
  const lines = [where ? `${where}: ${error.message}` : error.message]
  for (const problem of error.problems) lines.push(`  - ${formatProblem(problem)}`)
  if (error.hint) lines.push(`hint: ${error.hint}`)
  return lines.join('\n')
}

/** The same error, placed at `location`. */
export function withLocation(error: GwError, location: Location): GwError {
  const copy = new GwError(error.code, error.exitCode, error.message, {
    location,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    problems: error.problems,
    details: error.details,
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  })
  if (error.stack) copy.stack = error.stack
  return copy
}

export function isGwError(error: unknown): error is GwError {
  return error instanceof GwError
}
