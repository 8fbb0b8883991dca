/**
 * More of cel-go's grammar that cel-js reads otherwise (edits and refusals before cel-js parses,
 * as in cel-go-syntax.ts):
 * - A backtick-quoted field (`` x.`a-b` ``, cel-go's escapeIdent: letters, digits, `_ . - /` and
 *   spaces) selects that key: it becomes the index `x['a-b']` (inside has(), hasEdits names it).
 *   Anywhere but after a `.` of a member, or called, it does not parse in cel-go.
 * - A leading dot names the root scope: `.req_method`, `.size(x)`. For a declared variable or a
 *   function the dot is dropped (krakend-cel has no container; `.has(...)` is no macro in cel-go,
 *   and a macro variable `.x` is undeclared there: both stay refused).
 * - One kind of unary operator per operand: `!-x` and `-!x` do not parse in cel-go (KrakenD then
 *   drops the whole list); only `!-1` is read, the sign being part of the number literal.
 */

import type { Edit } from './cel-go-syntax.ts'
import { UNARY_AFTER } from './cel-go-syntax.ts'
import type { Token } from './cel-tokens.ts'

const unaryPosition = (previous: Token | undefined) =>
  previous === undefined || UNARY_AFTER.has(previous.text) || previous.text === 'in'

const isEscaped = (token: Token | undefined) => token?.kind === 'ident' && token.text.startsWith('`')

/** `` x.`name` `` -> `x['name']`, except at the positions in `taken` (has() fields). */
export function escapedFieldEdits(tokens: Token[], taken: Set<number>): Edit[] {
  const edits: Edit[] = []
  for (const [n, token] of tokens.entries()) {
    const dot = tokens[n - 1]
    if (!isEscaped(token) || dot?.text !== '.' || taken.has(dot.start)) continue
    const end = token.start + token.text.length
    edits.push({ at: dot.start, remove: end - dot.start, insert: `['${token.text.slice(1, -1)}']` })
  }
  return edits
}

/** Drops the leading dot of `.name` where `name` is a declared variable or function. */
export function leadingDotEdits(tokens: Token[], isGlobal: (name: string) => boolean): Edit[] {
  const edits: Edit[] = []
  for (const [n, token] of tokens.entries()) {
    const next = tokens[n + 1]
    if (token.text !== '.' || next?.kind !== 'ident' || isEscaped(next) || !unaryPosition(tokens[n - 1]))
      continue
    if (isGlobal(next.text)) edits.push({ at: token.start, remove: 1, insert: '' })
  }
  return edits
}

/** Why cel-go's parser refuses an escaped field or a mixed unary run cel-js reads, or undefined. */
export function grammarProblem(tokens: Token[], expr: string): string | undefined {
  for (const [n, token] of tokens.entries()) {
    if (isEscaped(token)) {
      const dot = tokens[n - 1]
      if (dot?.text !== '.' || unaryPosition(tokens[n - 2]) || tokens[n + 1]?.text === '(')
        return `Syntax error: mismatched input '${token.text}'`
      continue
    }
    if ((token.text !== '!' && token.text !== '-') || !unaryPosition(tokens[n - 1])) continue
    let end = n
    while (tokens[end + 1]?.text === token.text) end += 1
    const other = tokens[end + 1]
    if (other?.text !== '!' && other?.text !== '-') continue
    // After `!`s, a `-` may only be the sign of an int or double literal.
    if (token.text === '!' && other.text === '-' && signedLiteral(expr, tokens[end + 2])) continue
    return `Syntax error: no viable alternative at input '${other.text}${tokens[end + 2]?.text ?? ''}'`
  }
  return undefined
}

function signedLiteral(expr: string, first: Token | undefined): boolean {
  if (first === undefined || !/^[0-9.]$/.test(first.text)) return false
  const literal = /^(?:0[xX][0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)([uU])?/.exec(
    expr.slice(first.start),
  )
  return literal !== null && literal[1] === undefined
}
