import type { EngineEvent, Reporter } from '../../core/events.ts'
import { describeEvent } from './plain.ts'
import { colourSupported, emptyView, reduce, renderView, type ViewModel } from './view.ts'

export interface TtyOptions {
  env?: NodeJS.ProcessEnv
  /** The clock (ms); tests pass a fixed one. */
  now?: () => number
  /** Redraw period while something runs (elapsed times, bake countdown); 0: only on events. */
  tickMs?: number
}

/**
 * The live view on a terminal: the step list with elapsed times, the traffic split as a bar,
 * the bake countdown and node health, redrawn in place (view.ts draws it). Info and warnings
 * scroll above it. Lines fit the terminal width; colour unless NO_COLOR / TERM=dumb.
 */
export class TtyReporter implements Reporter {
  readonly #stream: NodeJS.WriteStream
  readonly #model: ViewModel = emptyView()
  readonly #now: () => number
  readonly #colour: boolean
  readonly #tickMs: number
  #ticker: NodeJS.Timeout | undefined
  #drawnLines = 0
  #notes: string[] = []

  constructor(stream: NodeJS.WriteStream = process.stderr, options: TtyOptions = {}) {
    this.#stream = stream
    this.#now = options.now ?? Date.now
    this.#colour = colourSupported(options.env ?? process.env, stream)
    this.#tickMs = options.tickMs ?? 1_000
  }

  emit(event: EngineEvent): void {
    reduce(this.#model, event, this.#now())
    if (event.type !== 'step' && event.type !== 'progress' && event.type !== 'bake') {
      const text =
        event.type === 'node' || event.type === 'weights' || event.type === 'artifact'
          ? undefined
          : describeEvent(event)
      if (text !== undefined) this.#notes.push(text)
    }
    this.#draw()
    this.#tick()
  }

  close(): void {
    if (this.#ticker) clearInterval(this.#ticker)
    this.#ticker = undefined
    this.#draw()
  }

  /** Keeps elapsed times and the countdown moving while a step runs. */
  #tick(): void {
    const running = this.#model.steps.some((s) => s.status === 'running')
    if (running && !this.#ticker && this.#tickMs > 0) {
      this.#ticker = setInterval(() => this.#draw(), this.#tickMs)
      this.#ticker.unref()
    } else if (!running && this.#ticker) {
      clearInterval(this.#ticker)
      this.#ticker = undefined
    }
  }

  #draw(): void {
    const width = Math.max(20, (this.#stream.columns ?? 80) - 1)
    const notes = this.#notes
    this.#notes = []
    let out = this.#drawnLines > 0 ? `\x1b[${this.#drawnLines}A\x1b[J` : ''
    for (const note of notes) out += `${note}\n`
    const lines = renderView(this.#model, { width, colour: this.#colour, now: this.#now() })
    out += lines.map((l) => `${l}\n`).join('')
    this.#drawnLines = lines.length
    this.#stream.write(out)
  }
}
