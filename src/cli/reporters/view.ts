/**
 * The live view a person watches, as pure functions: `reduce` folds engine events (each with
 * the time it arrived) into a model, `renderView` draws the model at a width, with or without
 * colour, at an instant. The TTY reporter only redraws what these return; tests feed event
 * lists and compare text.
 */
import type { EngineEvent, StepStatus } from '../../core/events.ts'

interface StepView {
  name: string
  status: StepStatus
  detail: string | undefined
  startedAt: number
  endedAt: number | undefined
}

interface NodeView {
  node: string
  status: 'pending' | 'healthy' | 'unhealthy'
  detail: string | undefined
}

export interface ViewModel {
  steps: StepView[]
  /** Latest per-node health (verify, then bake), in first-seen order. */
  nodes: NodeView[]
  weights: Record<string, number> | undefined
  bake: { colour: string; durationMs: number; endsAt: number } | undefined
}

export const emptyView = (): ViewModel => ({ steps: [], nodes: [], weights: undefined, bake: undefined })

/** The model after `event` arrived at `now` (ms). Returns the same object, changed in place. */
export function reduce(model: ViewModel, event: EngineEvent, now: number): ViewModel {
  switch (event.type) {
    case 'step': {
      const existing = model.steps.find((s) => s.name === event.step)
      const ended = event.status === 'running' ? undefined : now
      if (existing) {
        if (event.status === 'running' && existing.status !== 'running') existing.startedAt = now
        existing.status = event.status
        // A step that ends without a word keeps its last progress message.
        existing.detail = event.detail ?? (event.status === 'done' ? existing.detail : undefined)
        existing.endedAt = ended
      } else
        model.steps.push({
          name: event.step,
          status: event.status,
          detail: event.detail,
          startedAt: now,
          endedAt: ended,
        })
      if (event.step === 'shift' && event.status !== 'running') model.bake = undefined
      break
    }
    case 'progress': {
      const existing = model.steps.find((s) => s.name === event.step)
      if (existing) existing.detail = event.message
      break
    }
    case 'node': {
      const existing = model.nodes.find((n) => n.node === event.node)
      if (existing) {
        existing.status = event.status
        existing.detail = event.detail
      } else model.nodes.push({ node: event.node, status: event.status, detail: event.detail })
      break
    }
    case 'weights':
      model.weights = { ...event.weights }
      break
    case 'bake':
      model.bake = { colour: event.colour, durationMs: event.durationMs, endsAt: event.endsAt }
      break
    default:
      break
  }
  return model
}

export interface RenderOptions {
  width: number
  colour: boolean
  now: number
}

const ESC = '\x1b['
const paint = (on: boolean, code: string, text: string) => (on ? `${ESC}${code}m${text}${ESC}0m` : text)
const MARK: Record<StepStatus, { text: string; code: string }> = {
  running: { text: '…', code: '33' },
  done: { text: '✔', code: '32' },
  skipped: { text: '–', code: '2' },
  failed: { text: '✖', code: '31' },
}
const NODE_MARK: Record<NodeView['status'], { text: string; code: string }> = {
  pending: { text: '○', code: '33' },
  healthy: { text: '●', code: '32' },
  unhealthy: { text: '✖', code: '31' },
}

/** 950 -> "0.9s", 61_000 -> "1m01s". */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, ms) / 1000
  if (s < 60) return `${(Math.floor(s * 10) / 10).toFixed(1)}s`
  const whole = Math.floor(s)
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`
}

/** Seconds left as m:ss, rounded up (a countdown never shows 0:00 while it still runs). */
export function formatCountdown(ms: number): string {
  const s = Math.ceil(Math.max(0, ms) / 1000)
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

/** The split as a bar: blue cells then green cells (`██████░░░░` without colour). */
export function splitBar(weights: Record<string, number>, cells: number, colour: boolean): string {
  const blue = weights.blue ?? 0
  const green = weights.green ?? 0
  const total = blue + green
  if (total <= 0) return paint(colour, '2', '·'.repeat(cells))
  const blueCells = Math.round((blue / total) * cells)
  if (!colour) return `${'█'.repeat(blueCells)}${'░'.repeat(cells - blueCells)}`
  return `${paint(true, '34', '█'.repeat(blueCells))}${paint(true, '32', '█'.repeat(cells - blueCells))}`
}

/** Cuts plain text to `width` columns, ending with … when cut. */
export function fit(text: string, width: number): string {
  const chars = [...text]
  if (chars.length <= width) return text
  return width <= 1 ? '…'.slice(0, width) : `${chars.slice(0, width - 1).join('')}…`
}

/**
 * One line from a plain left part (cut to fit) and a right part kept whole at the end (the
 * elapsed time), padded to the width. Colour is applied after fitting, so escapes never count.
 */
function line(
  left: string,
  right: string,
  width: number,
  style: (left: string) => string = (t) => t,
  rightStyle: (r: string) => string = (t) => t,
): string {
  if (!right) return style(fit(left, width))
  const room = width - right.length - 1
  if (room < 4) return style(fit(left, width))
  const cut = fit(left, room)
  return `${style(cut)}${' '.repeat(room - [...cut].length + 1)}${rightStyle(right)}`
}

export function renderView(model: ViewModel, options: RenderOptions): string[] {
  const { width, colour, now } = options
  const lines: string[] = []
  for (const step of model.steps) {
    const mark = MARK[step.status]
    const elapsed = step.status === 'skipped' ? '' : formatElapsed((step.endedAt ?? now) - step.startedAt)
    const text = `${mark.text} ${step.name}${step.detail ? `  ${step.detail}` : ''}`
    lines.push(
      line(
        text,
        elapsed,
        width,
        (t) => (colour ? `${paint(true, mark.code, t.slice(0, 1))}${t.slice(1)}` : t),
        (r) => paint(colour, '2', r),
      ),
    )
  }
  if (model.weights) {
    const blue = model.weights.blue ?? 0
    const green = model.weights.green ?? 0
    const numbers = ` ${blue}% / ${green}%`
    const cells = Math.max(0, Math.min(20, width - '  traffic blue  green'.length - numbers.length))
    if (cells >= 4) {
      const prefix = `  traffic ${paint(colour, '34', 'blue')} `
      lines.push(
        `${prefix}${splitBar(model.weights, cells, colour)} ${paint(colour, '32', 'green')}${numbers}`,
      )
    } else lines.push(fit(`  traffic blue ${blue}% / green ${green}%`, width))
  }
  if (model.bake) {
    const left = model.bake.endsAt - now
    lines.push(
      fit(
        left > 0
          ? `  bake ${model.bake.colour}: ${formatCountdown(left)} left of ${formatCountdown(model.bake.durationMs)}`
          : `  bake ${model.bake.colour}: checking the last round`,
        width,
      ),
    )
  }
  if (model.nodes.length > 0) {
    // As many nodes per line as fit; an unhealthy node shows its reason on a line of its own.
    let current = '  nodes'
    let plain = current.length
    const flush = () => {
      if (plain > 2) lines.push(current)
    }
    for (const node of model.nodes) {
      const mark = NODE_MARK[node.status]
      const cell = ` ${mark.text} ${node.node} ${node.status}`
      if (plain + cell.length > width && plain > '  nodes'.length) {
        flush()
        current = '       '
        plain = current.length
      }
      const fitted = fit(cell, Math.max(1, width - plain))
      current += colour ? ` ${paint(true, mark.code, mark.text)}${fitted.slice(2)}` : fitted
      plain += [...fitted].length
    }
    flush()
    for (const node of model.nodes)
      if (node.status === 'unhealthy' && node.detail)
        lines.push(paint(colour, '31', fit(`    ${node.node}: ${node.detail}`, width)))
  }
  return lines
}

/** Whether to colour: NO_COLOR (any value) and TERM=dumb say no; FORCE_COLOR says yes; else the stream decides. */
export function colourSupported(
  env: NodeJS.ProcessEnv,
  stream: { isTTY?: boolean; hasColors?: () => boolean },
) {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.TERM === 'dumb') return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true
  return Boolean(stream.isTTY) && (stream.hasColors?.() ?? true)
}
