/**
 * CEL's lexemes as far as the rewrites before parsing need them (cel-go-functions.ts,
 * cel-go-syntax.ts): identifiers, string literals, the two-character operators, single characters.
 */
export interface Token {
  kind: 'ident' | 'string' | 'other'
  text: string
  start: number
}

const TWO_CHARACTER_OPERATORS = new Set(['==', '!=', '<=', '>=', '&&', '||'])

export function celTokens(expr: string): Token[] {
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
      // `in` is an operator: `x in (c ? a : b)` calls no function named in.
      tokens.push({ kind: ident === 'in' ? 'other' : 'ident', text: ident, start: i })
      i += ident.length
      continue
    }
    // cel-go's escaped field name (ESC_IDENTIFIER); cel-go-grammar.ts rewrites or refuses it.
    const escaped = /^`[A-Za-z0-9_.\-/ ]+`/.exec(expr.slice(i, i + 258))?.[0]
    if (escaped !== undefined) {
      tokens.push({ kind: 'ident', text: escaped, start: i })
      i += escaped.length
      continue
    }
    const two = expr.slice(i, i + 2)
    const text = TWO_CHARACTER_OPERATORS.has(two) ? two : c
    tokens.push({ kind: 'other', text, start: i })
    i += text.length
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

/** The index of the token closing the bracket opened at `open` (tokens.length when unclosed). */
export function closingToken(tokens: Token[], open: number): number {
  let depth = 0
  for (let n = open; n < tokens.length; n += 1) {
    const text = tokens[n]?.text
    if (text === '(' || text === '[' || text === '{') depth += 1
    else if (text === ')' || text === ']' || text === '}') {
      depth -= 1
      if (depth === 0) return n
    }
  }
  return tokens.length
}
