/**
 * A template that cannot be parsed or executed, worded as Go's text/template (what KrakenD logs):
 * `template: NAME:LINE: ...` when parsing, and when executing
 * `template: NAME:LINE:COL: executing "TEMPLATE" at <ACTION>: ...` (COL counted from 0, as Go does).
 */
export class TemplateError extends Error {
  readonly file: string
  readonly line: number
  /** 1-based column of the action's pipeline, for an execution error. */
  readonly column: number | undefined
  constructor(
    file: string,
    line: number,
    message: string,
    executing?: { template: string; column: number; action: string },
  ) {
    const name = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1)
    super(
      executing
        ? `template: ${name}:${line}:${executing.column - 1}: executing "${executing.template}" at <${executing.action}>: ${message}`
        : `template: ${name}:${line}: ${message}`,
    )
    this.name = 'TemplateError'
    this.file = file
    this.line = line
    this.column = executing?.column
  }
}
