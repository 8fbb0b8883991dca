import type { EngineEvent, Reporter, StepStatus } from '../../core/events.ts'
import { describeEvent } from './plain.ts'

const MARK: Record<StepStatus, string> = { running: '…', done: '✔', skipped: '–', failed: '✖' }

interface StepLine {
  name: string
  status: StepStatus
  detail: string | undefined
}

/** A live step list on a terminal: each step one line, redrawn in place as events arrive. */
export class TtyReporter implements Reporter {
  readonly #stream: NodeJS.WriteStream
  readonly #steps: StepLine[] = []
  #drawnLines = 0
  #notes: string[] = []

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream
  }

  emit(event: EngineEvent): void {
    if (event.type === 'step') {
      const existing = this.#steps.find((s) => s.name === event.step)
      if (existing) {
        existing.status = event.status
        existing.detail = event.detail
      } else this.#steps.push({ name: event.step, status: event.status, detail: event.detail })
    } else if (event.type === 'progress') {
      const existing = this.#steps.find((s) => s.name === event.step)
      if (existing) existing.detail = event.message
    } else {
      const text = describeEvent(event)
      if (text !== undefined) this.#notes.push(text)
    }
    this.#draw()
  }

  close(): void {
    this.#draw()
  }

  #draw(): void {
    const notes = this.#notes
    this.#notes = []
    let out = this.#drawnLines > 0 ? `\x1b[${this.#drawnLines}A\x1b[J` : ''
    for (const note of notes) out += `${note}\n`
    const lines = this.#steps.map((s) => `${MARK[s.status]} ${s.name}${s.detail ? `  ${s.detail}` : ''}`)
    out += lines.map((l) => `${l}\n`).join('')
    this.#drawnLines = lines.length
    this.#stream.write(out)
  }
}
