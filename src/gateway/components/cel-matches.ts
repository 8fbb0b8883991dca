/**
 * CEL's `matches` as cel-go evaluates it for KrakenD: Go's regexp (RE2 syntax, `MatchString` on
 * the UTF-8 text, compiled at each call, so a bad pattern fails the evaluation). cel-js's own
 * `matches` builds a JavaScript RegExp instead: other syntax and other matches (`\s` takes a
 * no-break space, `\p{L}` is the literal text `p{L}`, `.` skips `\r`) and backtracking that one
 * request could stall the gateway with. cel-js cannot replace a built-in overload, so each
 * expression is rewritten before it is parsed: a `matches` called as a function (`s.matches(p)` or
 * `matches(s, p)`) becomes `matchGo`, a name of the same length so error positions still hold.
 */
import { compileGoRegExp, type GoRegExp, GoRegExpError } from './go-regexp.ts'

export const GO_MATCHES = 'matchGo'

export interface RewrittenExpression {
  text: string
  /** The literal (CEL source text) of each `x.matches('literal')`: checked when the config is read. */
  literalPatterns: string[]
  /** The expression names `matchGo` itself: KrakenD knows no such function. */
  usesReservedName: boolean
}

export function rewriteMatches(expr: string): RewrittenExpression {
  const out: RewrittenExpression = { text: '', literalPatterns: [], usesReservedName: false }
  const tokens = celTokens(expr)
  let text = ''
  let copied = 0
  for (const [n, token] of tokens.entries()) {
    if (token.kind !== 'ident') continue
    if (token.text === GO_MATCHES) out.usesReservedName = true
    if (token.text !== 'matches' || tokens[n + 1]?.text !== '(') continue
    text += expr.slice(copied, token.start) + GO_MATCHES
    copied = token.start + token.text.length
    const [literal, close] = [tokens[n + 2], tokens[n + 3]]
    if (tokens[n - 1]?.text === '.' && literal?.kind === 'string' && close?.text === ')')
      out.literalPatterns.push(literal.text)
  }
  out.text = text + expr.slice(copied)
  return out
}

/** The handler both `matchGo` overloads run. */
export function goMatches(text: string, pattern: string): boolean {
  return compiledPattern(pattern).test(text)
}

const compiled = new Map<string, GoRegExp | GoRegExpError>()
const MAX_COMPILED = 256

function compiledPattern(pattern: string): GoRegExp {
  let entry = compiled.get(pattern)
  if (entry === undefined) {
    try {
      entry = compileGoRegExp(pattern)
    } catch (error) {
      if (!(error instanceof GoRegExpError)) throw error
      entry = error
    }
    // Patterns built from request data could grow the cache without bound.
    if (compiled.size >= MAX_COMPILED) compiled.clear()
    compiled.set(pattern, entry)
  }
  if (entry instanceof GoRegExpError) throw new Error(`matches: ${entry.message}`)
  return entry
}

interface Token {
  kind: 'ident' | 'string' | 'other'
  text: string
  start: number
}

/** CEL's lexemes as far as the rewrite needs them: identifiers, string literals, single characters. */
function celTokens(expr: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < expr.length) {
    const c = expr[i] as string
    if (/\s/.test(c)) {
      i += 1
      continue
    }
    if (expr.startsWith('//', i)) {
      const end = expr.indexOf('\n', i)
      i = end === -1 ? expr.length : end + 1
      continue
    }
    const prefix = /^[rRbB]{0,2}['"]/.exec(expr.slice(i, i + 3))?.[0]
    if (prefix !== undefined && !/^(rr|bb)/i.test(prefix)) {
      const end = stringEnd(expr, i + prefix.length - 1, /r/i.test(prefix))
      tokens.push({ kind: 'string', text: expr.slice(i, end), start: i })
      i = end
      continue
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expr.slice(i, i + 256))?.[0]
    if (ident !== undefined) {
      tokens.push({ kind: 'ident', text: ident, start: i })
      i += ident.length
      continue
    }
    tokens.push({ kind: 'other', text: c, start: i })
    i += 1
  }
  return tokens
}

/** The index after the string literal whose opening quote is at `quote`. */
function stringEnd(expr: string, quote: number, raw: boolean): number {
  const q = expr[quote] as string
  const triple = expr.startsWith(q.repeat(3), quote)
  const closing = triple ? q.repeat(3) : q
  let j = quote + closing.length
  while (j < expr.length) {
    if (!raw && expr[j] === '\\') j += 2
    else if (expr.startsWith(closing, j)) return j + closing.length
    else if (!triple && (expr[j] === '\n' || expr[j] === '\r')) return j
    else j += 1
  }
  return expr.length
}
