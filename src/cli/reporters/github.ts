import { appendFileSync } from 'node:fs'
import type { EngineEvent, Reporter } from '../../core/events.ts'

const escapeData = (s: string) => s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A')
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

  emit(event: EngineEvent): void {
    if (event.type === 'step') this.#steps.set(event.step, event.status)
    if (event.type === 'summary') this.#tables.push({ title: event.title, rows: event.rows })
    this.#inner.emit(event)
  }

  close(error?: { message: string; exitCode: number }): void {
    this.#inner.close(error)
    if (error)
      this.#annotate(
        `::error title=${this.title} failed (exit ${error.exitCode})::${escapeData(error.message)}`,
      )
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
