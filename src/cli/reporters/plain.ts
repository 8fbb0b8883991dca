import type { EngineEvent, ReportedError, Reporter } from '../../core/events.ts'
import { formatElapsed } from './view.ts'

type Write = (line: string) => void

/** One timestamped line per event: for CI logs and anything that is not a TTY. */
export function describeEvent(event: EngineEvent): string | undefined {
  switch (event.type) {
    case 'step':
      return `${event.step}: ${event.status}${event.detail ? ` — ${event.detail}` : ''}`
    case 'progress':
      return `${event.step}: ${event.message}`
    case 'info':
      return event.message
    case 'warn':
      return `warning: ${event.message}`
    case 'node':
      return `${event.step}: node ${event.node} ${event.status}${event.detail ? ` — ${event.detail}` : ''}`
    case 'weights':
      return `traffic: ${Object.entries(event.weights)
        .map(([colour, weight]) => `${colour} ${weight}%`)
        .join(', ')}`
    case 'bake':
      return `${event.step}: baking ${event.colour} for ${formatElapsed(event.durationMs)} (until ${new Date(event.endsAt).toISOString()})`
    case 'artifact':
      return `artifact: ${event.sha.slice(0, 7)} "${event.configName}"${event.image ? ` ${event.image}` : ''}`
    // Said by the info and warn lines around them; structured for --json and GitHub's summary.
    case 'summary':
    case 'reverted':
    case 'lock':
      return undefined
  }
}

export class PlainReporter implements Reporter {
  readonly #write: Write
  readonly #now: () => Date

  constructor(
    write: Write = (line) => process.stderr.write(`${line}\n`),
    now: () => Date = () => new Date(),
  ) {
    this.#write = write
    this.#now = now
  }

  #emitted = false
  readonly #started = new Map<string, number>()

  emit(event: EngineEvent): void {
    this.#emitted = true
    const now = this.#now()
    let text = describeEvent(event)
    // A step that ends says how long it took (CI logs have timestamps, not durations).
    if (event.type === 'step') {
      const started = this.#started.get(event.step)
      if (event.status === 'running') this.#started.set(event.step, now.getTime())
      else if (started !== undefined && text !== undefined) {
        this.#started.delete(event.step)
        text = `${event.step}: ${event.status} (${formatElapsed(now.getTime() - started)})${event.detail ? ` — ${event.detail}` : ''}`
      }
    }
    if (text !== undefined) this.#write(`${now.toISOString()} ${text}`)
  }

  close(error?: ReportedError): void {
    if (error && this.#emitted) this.#write(`${this.#now().toISOString()} failed (exit ${error.exitCode})`)
  }
}
