import { appendFileSync } from 'node:fs'
import { formatProblem } from '../../core/errors.ts'
import type { EngineEvent, ReportedError, Reporter } from '../../core/events.ts'

const escapeData = (s: string) => s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A')
const escapeProperty = (s: string) => escapeData(s).replaceAll(':', '%3A').replaceAll(',', '%2C')
const escapeCell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ')

/**
 * GitHub Actions: wraps another reporter, appends a Markdown summary to $GITHUB_STEP_SUMMARY
 * and prints an `::error::` annotation on failure.
 */
export class GithubActionsReporter implements Reporter {
  readonly #inner: Reporter
  readonly #summaryPath: string | undefined
  readonly #annotate: (line: string) => void
  readonly #steps = new Map<string, string>()
  readonly title: string
  readonly #tables: Array<{ title: string; rows: ReadonlyArray<readonly [string, string]> }> = []

  constructor(
    inner: Reporter,
    summaryPath = process.env.GITHUB_STEP_SUMMARY,
    annotate: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
    title = 'gwdeploy',
  ) {
    this.title = title
    this.#inner = inner
    this.#summaryPath = summaryPath
    this.#annotate = annotate
  }

  /** One annotation for the failure, plus one per located problem so GitHub marks the file and line. */
  #annotateError(error: ReportedError): void {
    const title = escapeProperty(`${this.title} failed (exit ${error.exitCode})`)
    this.#annotate(`::error title=${title}::${escapeData(error.message)}`)
    for (const problem of error.problems ?? []) {
      const where = problem.location
      if (!where?.file) continue
      const props = [`file=${escapeProperty(where.file)}`]
      if (where.line !== undefined) props.push(`line=${where.line}`)
      if (where.column !== undefined) props.push(`col=${where.column}`)
      const text = formatProblem({ ...problem, location: where.path ? { path: where.path } : {} })
      this.#annotate(`::error ${props.join(',')}::${escapeData(text)}`)
    }
  }

  emit(event: EngineEvent): void {
    if (event.type === 'step') this.#steps.set(event.step, event.status)
    if (event.type === 'summary') this.#tables.push({ title: event.title, rows: event.rows })
    this.#inner.emit(event)
  }

  close(error?: ReportedError): void {
    this.#inner.close(error)
    if (error) this.#annotateError(error)
    if (!this.#summaryPath) return
    const lines = [`## ${this.title}: ${error ? `failed (exit ${error.exitCode})` : 'succeeded'}`, '']
    if (this.#steps.size > 0) {
      lines.push('| step | status |', '| --- | --- |')
      for (const [name, status] of this.#steps) lines.push(`| ${escapeCell(name)} | ${status} |`)
      lines.push('')
    }
    for (const table of this.#tables) {
      lines.push(`### ${table.title}`, '', '| | |', '| --- | --- |')
      for (const [key, value] of table.rows) lines.push(`| ${escapeCell(key)} | ${escapeCell(value)} |`)
      lines.push('')
    }
    if (error) lines.push('```', error.message, '```', '')
    appendFileSync(this.#summaryPath, `${lines.join('\n')}\n`)
  }
}
