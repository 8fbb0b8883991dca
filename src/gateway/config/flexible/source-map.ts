/**
 * The source map of a rendered flexible config: which source span wrote each span of the rendered
 * text, recorded by the executor as it writes. A problem KrakenD (or we) find in the rendered JSON
 * is then named where the user can fix it: the template's own text at its file:line:column, a
 * partial's text at the partial's line, and a printed value at the action that printed it, with
 * the settings file and key it read.
 */
import { isAbsolute, join, relative } from 'node:path'

/** One piece of output, [start, end) in the rendered text, and what wrote it. */
export type RenderedSpan =
  | { kind: 'text'; start: number; end: number; file: string; at: number }
  | {
      kind: 'value'
      start: number
      end: number
      file: string
      /** Offset of the action's `{{` in `file`. */
      at: number
      /** The action as written, e.g. `.service.port` or `include "x.tmpl"`. */
      action: string
      /** What it printed. */
      text: string
      settings?: { name: string; key: string[] }
    }

export interface RenderedSourceMap {
  /** In rendered order, not overlapping. */
  spans: RenderedSpan[]
  /** The text of every template file, by path. */
  sources: ReadonlyMap<string, string>
  /** What `include` returned, by text, with the partial's path. */
  partials: ReadonlyMap<string, string>
  /** FC_SETTINGS, to name the settings file a value came from. */
  settingsDir?: string | undefined
}

export interface SourcePosition {
  file: string
  line: number
  column: number
  /** Set when the text was printed by an action rather than written in `file` itself. */
  action?: { text: string; file: string; line: number; column: number }
  /** The settings file and key (`port`, `a.b`) a printed value came from. */
  settings?: { file: string; key: string }
}

export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++
    lineStart = i + 1
  }
  return { line, column: offset - lineStart + 1 }
}

/** The span holding `offset`; past the end, the last one (an error at the end of input). */
function spanAt(spans: RenderedSpan[], offset: number): RenderedSpan | undefined {
  let low = 0
  let high = spans.length - 1
  while (low < high) {
    const mid = (low + high + 1) >> 1
    if ((spans[mid] as RenderedSpan).start <= offset) low = mid
    else high = mid - 1
  }
  return spans[low]
}

/** Where the rendered text's `offset` came from; undefined only for an empty render. */
export function sourcePositionOf(map: RenderedSourceMap, offset: number): SourcePosition | undefined {
  const span = spanAt(map.spans, offset)
  if (!span) return undefined
  const inside = Math.max(0, Math.min(offset, span.end) - span.start)
  const source = map.sources.get(span.file) ?? ''
  if (span.kind === 'text') return { file: span.file, ...lineColumnAt(source, span.at + inside) }
  const action = { text: span.action, file: span.file, ...lineColumnAt(source, span.at) }
  const partial = map.partials.get(span.text)
  if (partial !== undefined) return { file: partial, ...lineColumnAt(span.text, inside), action }
  return {
    file: span.file,
    line: action.line,
    column: action.column,
    action,
    ...(span.settings
      ? {
          settings: {
            file: map.settingsDir ? join(map.settingsDir, `${span.settings.name}.json`) : span.settings.name,
            key: span.settings.key.join('.'),
          },
        }
      : {}),
  }
}

/** A path as the user wrote it: relative to `cwd` when below it. */
export function shownPath(path: string, cwd: string): string {
  const rel = relative(cwd, path)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
}

/** Says what wrote the text at `position` when the location alone does not: an include or a printed value. */
export function describeOrigin(position: SourcePosition, cwd: string, what = 'the text'): string | undefined {
  const { action, settings } = position
  if (!action) return undefined
  const at = `${shownPath(action.file, cwd)}:${action.line}:${action.column}`
  if (position.file !== action.file || position.line !== action.line || position.column !== action.column)
    return `${what} was written by {{ ${action.text} }} at ${at}`
  const from = settings
    ? `: the value of ${settings.key ? `"${settings.key}" in ` : ''}${shownPath(settings.file, cwd)}`
    : ''
  return `${what} was printed by {{ ${action.text} }} at ${at}${from}`
}
