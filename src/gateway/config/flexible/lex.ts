/**
 * Splits a template into text and `{{ }}` actions, applying `{{-`/`-}}` trimming, with the line
 * and file offsets every error and the source map need.
 */
import { TemplateError } from './template-error.ts'

export interface Action {
  body: string
  line: number
  /** Offsets in the file of the action's `{{` and of its body. */
  at: number
  bodyAt: number
}

export type Token = { type: 'text'; text: string; at: number } | ({ type: 'action' } & Action)

export function lex(text: string, file: string): Token[] {
  const tokens: Token[] = []
  let pos = 0
  let line = 1
  while (pos < text.length) {
    const open = text.indexOf('{{', pos)
    if (open < 0) {
      tokens.push({ type: 'text', text: text.slice(pos), at: pos })
      break
    }
    let chunk = text.slice(pos, open)
    const trimLeft =
      text.startsWith('{{- ', open) || text.startsWith('{{-\t', open) || text.startsWith('{{-\n', open)
    if (trimLeft) chunk = chunk.replace(/\s+$/, '')
    if (chunk) tokens.push({ type: 'text', text: chunk, at: pos })
    line += countLines(text.slice(pos, open))
    const start = open + (trimLeft ? 3 : 2)
    const close = findClose(text, start)
    if (close < 0) throw new TemplateError(file, line, 'unclosed action: "{{" without "}}"')
    const trimRight = /\s-$/.test(text.slice(start, close)) && close - 1 >= start
    const body = text.slice(start, trimRight ? close - 1 : close)
    tokens.push({ type: 'action', body, line, at: open, bodyAt: start })
    line += countLines(text.slice(open, close + 2))
    pos = close + 2
    if (trimRight) {
      const rest = /^\s*/.exec(text.slice(pos))?.[0] ?? ''
      line += countLines(rest)
      pos += rest.length
    }
  }
  return tokens
}

const countLines = (s: string) => s.split('\n').length - 1

/** The `}}` ending an action, skipping string literals and comments. */
function findClose(text: string, from: number): number {
  let i = from
  while (i < text.length) {
    const c = text[i]
    if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2)
      if (end < 0) return -1
      i = end + 2
      continue
    }
    if (c === '"') {
      i++
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
      i++
      continue
    }
    if (c === '`') {
      const end = text.indexOf('`', i + 1)
      if (end < 0) return -1
      i = end + 1
      continue
    }
    if (text.startsWith('}}', i)) return i
    i++
  }
  return -1
}
