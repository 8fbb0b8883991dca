import { appendFileSync } from 'node:fs'
import { formatProblem, type Location } from '../../core/errors.ts'
import {
  type EngineEvent,
  type ReportedError,
  type Reporter,
  type RevertedState,
  silentReporter,
} from '../../core/events.ts'

const escapeData = (s: string) => s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A')
const escapeProperty = (s: string) => escapeData(s).replaceAll(':', '%3A').replaceAll(',', '%2C')
const escapeCell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ')

const RENDERED = / \(rendered\)$/

/** `file=…,line=…,col=…` of an annotation. */
function locationProperties(where: Location): string[] {
  // A rendered flexible-config template's line is not a line of the file: the file alone is named.
  if (where.file && RENDERED.test(where.file))
    return [`file=${escapeProperty(where.file.replace(RENDERED, ''))}`]
  const props = [`file=${escapeProperty(where.file ?? '')}`]
  if (where.line !== undefined) props.push(`line=${where.line}`)
  if (where.column !== undefined) props.push(`col=${where.column}`)
  return props
}

/** `outcome` output by exit code (README, "Exit codes"). */
const OUTCOMES: Record<number, string> = {
  0: 'success',
  1: 'error',
  2: 'usage-error',
  3: 'lock-held',
  4: 'gate-failed',
  5: 'rolled-back',
  6: 'provider-error',
  130: 'interrupted',
}

const LOCK_STATES: Record<string, string> = {
  released: 'released (free)',
  'taken-over': 'taken over by another run (`gwdeploy abort`): it releases it',
  'not-released': 'not released: `gwdeploy lock status`, then `gwdeploy lock release` once nothing runs',
}

/**
 * GitHub Actions: wraps another reporter, folds each step's lines into a `::group::`, appends a
 * Markdown summary to $GITHUB_STEP_SUMMARY, writes step outputs (sha, image, config-name,
 * outcome) to $GITHUB_OUTPUT, and prints an `::error::` annotation on failure.
 */
export class GithubActionsReporter implements Reporter {
  readonly #inner: Reporter
  readonly #summaryPath: string | undefined
  readonly #annotate: (line: string) => void
  readonly #steps = new Map<string, string>()
  readonly title: string
  readonly #tables: Array<{ title: string; rows: ReadonlyArray<readonly [string, string]> }> = []
  readonly #outputPath: string | undefined
  readonly #outputs = new Map<string, string>()
  #group: string | undefined
  #afterStop: Array<readonly [string, string]> | undefined
  #lock: string | undefined

  constructor(
    inner: Reporter,
    summaryPath = process.env.GITHUB_STEP_SUMMARY,
    annotate: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
    title = 'gwdeploy',
    outputPath = process.env.GITHUB_OUTPUT,
  ) {
    this.title = title
    this.#inner = inner
    this.#summaryPath = summaryPath
    this.#annotate = annotate
    this.#outputPath = outputPath
  }

  #endGroup(): void {
    if (this.#group === undefined) return
    this.#group = undefined
    this.#annotate('::endgroup::')
  }

  /** One annotation for the failure, plus one per located problem so GitHub marks the file and line. */
  #annotateError(error: ReportedError): void {
    const title = escapeProperty(`${this.title} failed (exit ${error.exitCode})`)
    // An error that is itself located (a file the stamp refuses) points GitHub at that file and line.
    const at = error.location?.file ? `${locationProperties(error.location).join(',')},` : ''
    this.#annotate(`::error ${at}title=${title}::${escapeData(error.message)}`)
    for (const problem of error.problems ?? []) {
      const where = problem.location
      if (!where?.file) continue
      const props = locationProperties(where)
      // The annotation carries the file and line; a rendered template's line stays in the text.
      const shown = RENDERED.test(where.file) ? where : where.path ? { path: where.path } : {}
      const text = formatProblem({ ...problem, location: shown })
      this.#annotate(`::error ${props.join(',')}::${escapeData(text)}`)
    }
  }

  emit(event: EngineEvent): void {
    if (event.type === 'step') this.#steps.set(event.step, event.status)
    if (event.type === 'summary') this.#tables.push({ title: event.title, rows: event.rows })
    if (event.type === 'reverted') this.#reverted(event)
    if (event.type === 'lock') this.#lock = event.state
    if (event.type === 'artifact') {
      this.#outputs.set('sha', event.sha)
      this.#outputs.set('config-name', event.configName)
      if (event.image) this.#outputs.set('image', event.image)
    }
    // Steps run one after another; a step that starts inside another's group closes it first.
    // Under --json (a silent inner reporter) there are no progress lines to fold: no groups either.
    if (event.type === 'step' && event.status === 'running' && this.#inner !== silentReporter) {
      this.#endGroup()
      this.#group = event.step
      this.#annotate(`::group::${escapeData(event.step)}`)
    }
    this.#inner.emit(event)
    if (event.type === 'step' && event.status !== 'running' && this.#group === event.step) this.#endGroup()
  }

  /** Where a stopped or failed run left traffic: a summary table and the step outputs that say it. */
  #reverted(state: RevertedState): void {
    const weights = Object.entries(state.weights).map(([colour, weight]) => `${colour} ${weight}%`)
    this.#afterStop = [
      ['traffic', `${weights.join(' / ')}${state.routedBack ? '' : ' (could not route back: it stayed)'}`],
      ...state.serving.map(
        (s) => [`serving ${s.colour}`, `${s.sha.slice(0, 7)} (${s.configName}) ${s.weight}%`] as const,
      ),
      ...(state.idle
        ? [
            [
              `idle ${state.idle.colour}`,
              `${state.idle.sha.slice(0, 7)} (${state.idle.configName}) ${state.idle.kept ? 'kept' : 'removed'}`,
            ] as const,
          ]
        : []),
    ]
    this.#outputs.set('weights', JSON.stringify(state.weights))
    const [only] = state.serving
    if (only && state.serving.length === 1) {
      this.#outputs.set('serving-colour', only.colour)
      this.#outputs.set('serving-sha', only.sha)
    }
  }

  close(error?: ReportedError): void {
    this.#endGroup()
    this.#inner.close(error)
    if (error) this.#annotateError(error)
    this.#writeOutputs(error)
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
    if (this.#afterStop) {
      const rows = [
        ...this.#afterStop,
        ...(this.#lock ? [['lock', LOCK_STATES[this.#lock] ?? this.#lock] as const] : []),
      ]
      lines.push('### Where traffic is now', '', '| | |', '| --- | --- |')
      for (const [key, value] of rows) lines.push(`| ${escapeCell(key)} | ${escapeCell(value)} |`)
      lines.push('')
    }
    if (error) {
      // What failed, where and what to do: the summary is what a reader of the run sees first.
      lines.push('```', error.message)
      for (const problem of error.problems ?? []) lines.push(`  - ${formatProblem(problem)}`)
      lines.push('```', '')
      if (error.hint) lines.push(`**What to do:** ${error.hint}`, '')
    }
    appendFileSync(this.#summaryPath, `${lines.join('\n')}\n`)
  }

  /** name=value lines (values are one line: newlines become spaces). */
  #writeOutputs(error: ReportedError | undefined): void {
    if (!this.#outputPath) return
    const code = error?.exitCode ?? 0
    this.#outputs.set('outcome', OUTCOMES[code] ?? 'error')
    this.#outputs.set('exit-code', String(code))
    const text = [...this.#outputs]
      .map(([name, value]) => `${name}=${value.replace(/[\r\n]+/g, ' ')}\n`)
      .join('')
    appendFileSync(this.#outputPath, text)
  }
}
