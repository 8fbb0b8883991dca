/**
 * Where cel-js reads an expression's structure otherwise than cel-go, rewrites of the text (edits
 * applied before cel-js parses it):
 * - cel-go's grammar puts `==`, `!=`, `<`, `<=`, `>`, `>=` and `in` on one level, left to right:
 *   `a == b in c` is `(a == b) in c` and `false == false < false` is false. cel-js ranks `<`/`in`
 *   above `==`/`!=` (as JavaScript does), so such a chain gets cel-go's parentheses.
 * - `has(x.f)` is an error in cel-go when x is a list ("unsupported index type"), false when it is
 *   a string, number, bool or null, and key presence on a map; cel-js answers false for a list.
 *   It becomes `hasGo(x, 'f')`, declared by cel-go-functions.ts with cel-go's behaviour.
 * - Unary `-` and `!`: cel-go's parser drops an even run of them (`--x` is x, `!!x` is x, never
 *   checked as a negation) and keeps one of an odd run. Its negation of an int fails on overflow
 *   (`-(-9223372036854775808)`), where cel-js answers 2^63: a `-` before anything but a number
 *   literal becomes `negGo(...)`, declared by cel-go-functions.ts.
 * - A number written from its point (`.5`) is a double in cel-go; cel-js does not read it: `0.5`.
 * - An empty map or list that is indexed or selected is `dyn` (emptyLiteralEdits).
 * - A bytes literal holds the UTF-8 bytes of its text (`size(b'日本')` is 6); cel-js keeps one
 *   byte of each character (2). Its characters beyond ASCII become `\xNN` escapes; a raw one
 *   (`br'...'`, which cel-js does not read) becomes a plain one.
 */
import { closingToken, type Token } from './cel-tokens.ts'

export interface Edit {
  at: number
  remove: number
  insert: string
}

const RELATIONS = new Set(['==', '!=', '<', '<=', '>', '>=', 'in'])
const EQUALITIES = new Set(['==', '!='])
const SEPARATORS = new Set([',', '&&', '||', '?', ':'])
const OPENING = new Set(['(', '[', '{'])
const CLOSING = new Set([')', ']', '}'])

interface Chain {
  first: number | undefined
  operators: number[]
}

/** Parentheses making each mixed relation chain (`==`/`!=` before `<`/`in`) cel-go's left-to-right grouping. */
export function relationEdits(tokens: Token[]): Edit[] {
  const edits: Edit[] = []
  const stack: Chain[] = [{ first: undefined, operators: [] }]
  const close = (chain: Chain | undefined) => {
    if (chain?.first === undefined || !mixed(tokens, chain.operators)) return
    const n = chain.operators.length
    edits.push({ at: (tokens[chain.first] as Token).start, remove: 0, insert: '('.repeat(n - 1) })
    for (const op of chain.operators.slice(1)) {
      const last = tokens[op - 1] as Token
      edits.push({ at: last.start + last.text.length, remove: 0, insert: ')' })
    }
  }
  for (const [n, token] of tokens.entries()) {
    const chain = stack[stack.length - 1] as Chain
    if (token.kind === 'string') chain.first ??= n
    else if (CLOSING.has(token.text)) {
      close(stack.pop())
      if (stack.length === 0) stack.push({ first: undefined, operators: [] })
    } else if (SEPARATORS.has(token.text)) {
      close(stack.pop())
      stack.push({ first: undefined, operators: [] })
    } else if (RELATIONS.has(token.text) && chain.first !== undefined) chain.operators.push(n)
    else {
      chain.first ??= n
      if (OPENING.has(token.text)) stack.push({ first: undefined, operators: [] })
    }
  }
  while (stack.length > 0) close(stack.pop())
  return edits
}

/** Whether a `<`, `<=`, `>`, `>=` or `in` follows an `==` or `!=` in the chain. */
function mixed(tokens: Token[], operators: number[]): boolean {
  let equality = false
  for (const op of operators) {
    const text = (tokens[op] as Token).text
    if (EQUALITIES.has(text)) equality = true
    else if (equality) return true
  }
  return false
}

/** `has(x.f)` -> `hasGo(x, 'f')`. */
export function hasEdits(tokens: Token[]): Edit[] {
  const edits: Edit[] = []
  for (const [n, token] of tokens.entries()) {
    if (token.kind !== 'ident' || token.text !== 'has' || tokens[n + 1]?.text !== '(') continue
    if (tokens[n - 1]?.text === '.') continue
    const close = closingToken(tokens, n + 1)
    const [dot, field] = [tokens[close - 2], tokens[close - 1]]
    if (close - 2 <= n + 1 || dot?.text !== '.' || field?.kind !== 'ident') continue
    if (!atTopLevel(tokens, n + 2, close - 2)) continue
    edits.push({ at: token.start, remove: token.text.length, insert: 'hasGo' })
    edits.push({ at: dot.start, remove: 1, insert: ', ' })
    const name = field.text.startsWith('`') ? field.text.slice(1, -1) : field.text
    edits.push({ at: field.start, remove: field.text.length, insert: `'${name}'` })
  }
  return edits
}

/** Whether the token at `at` is outside every bracket opened from `from` on. */
function atTopLevel(tokens: Token[], from: number, at: number): boolean {
  let depth = 0
  for (let n = from; n < at; n += 1) {
    const text = (tokens[n] as Token).text
    if (OPENING.has(text)) depth += 1
    else if (CLOSING.has(text)) depth -= 1
  }
  return depth === 0
}

/** Bytes literals as cel-js reads them with cel-go's bytes. */
export function bytesEdits(tokens: Token[]): Edit[] {
  const edits: Edit[] = []
  for (const token of tokens) {
    if (token.kind !== 'string') continue
    const prefix = /^[rRbB]*/.exec(token.text)?.[0] ?? ''
    if (!/^b/i.test(prefix)) continue
    const raw = /r/i.test(prefix)
    const body = token.text.slice(prefix.length)
    if (!raw && !/[^ -~\t\n\r]/.test(body)) continue
    let text = ''
    for (const char of body) {
      if (char.charCodeAt(0) < 0x80) text += raw && char === '\\' ? '\\\\' : char
      else for (const byte of Buffer.from(char, 'utf8')) text += `\\x${byte.toString(16).padStart(2, '0')}`
    }
    edits.push({ at: token.start, remove: token.text.length, insert: `b${text}` })
  }
  return edits
}

export const UNARY_AFTER = new Set([
  '(',
  '[',
  '{',
  ',',
  '?',
  ':',
  '&&',
  '||',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '!',
])

/** cel-go's unary runs, and `negGo(...)` around a negated operand that is not a number literal. */
export function unaryEdits(tokens: Token[]): Edit[] {
  const edits: Edit[] = []
  let n = 0
  while (n < tokens.length) {
    const token = tokens[n] as Token
    const previous = tokens[n - 1]
    const unary = previous === undefined || UNARY_AFTER.has(previous.text) || previous.text === 'in'
    if (!unary || (token.text !== '-' && token.text !== '!')) {
      n += 1
      continue
    }
    let end = n
    while (tokens[end + 1]?.text === token.text) end += 1
    const run = end - n + 1
    // cel-go drops pairs: `--x` is x, `---x` is -x.
    for (let k = n; k < end + (run % 2 === 0 ? 1 : 0); k += 1) {
      const t = tokens[k] as Token
      edits.push({ at: t.start, remove: 1, insert: '' })
    }
    if (token.text === '-' && run % 2 === 1) {
      const operandEnd = memberEnd(tokens, end + 1)
      if (operandEnd !== undefined) {
        const minus = tokens[end] as Token
        const last = tokens[operandEnd - 1] as Token
        edits.push({ at: minus.start, remove: 1, insert: 'negGo(' })
        edits.push({ at: last.start + last.text.length, remove: 0, insert: ')' })
      }
    }
    n = end + 1
  }
  return edits
}

/**
 * cel-go's grammar takes `c ? a : b` with `a` no conditional itself (`x ? y ? 1 : 2 : 3` does not
 * parse; the alternative may be one); cel-js reads it. The message, or undefined.
 */
export function ternaryProblem(tokens: Token[]): string | undefined {
  const pending: number[] = [0]
  for (const token of tokens) {
    const depth = pending.length - 1
    if (OPENING.has(token.text)) pending.push(0)
    else if (CLOSING.has(token.text) && depth > 0) pending.pop()
    else if (token.text === '?') {
      if ((pending[depth] ?? 0) > 0) return "Syntax error: mismatched input '?' expecting ':'"
      pending[depth] = (pending[depth] ?? 0) + 1
    } else if (token.text === ':' && (pending[depth] ?? 0) > 0) pending[depth] = (pending[depth] ?? 0) - 1
  }
  return undefined
}

/**
 * `dyn({})` and `dyn([])` for an empty literal that is indexed or selected (`{}[x]`, `{}.a`,
 * `[][0]`): cel-go types the element as a free type parameter, which any overload takes
 * (`{}[x] <= 1u` checks, and fails when evaluated: no such key); cel-js found several
 * overloads for it and refused the expression ("Operator overload ... overlaps").
 */
export function emptyLiteralEdits(tokens: Token[]): Edit[] {
  const edits: Edit[] = []
  for (const [n, token] of tokens.entries()) {
    const close = tokens[n + 1]
    if (!((token.text === '{' && close?.text === '}') || (token.text === '[' && close?.text === ']')))
      continue
    const previous = tokens[n - 1]
    if (previous !== undefined && !UNARY_AFTER.has(previous.text) && previous.text !== 'in') continue
    const next = tokens[n + 2]
    const selected = next?.text === '.' && tokens[n + 3]?.kind === 'ident' && tokens[n + 4]?.text !== '('
    if (next?.text !== '[' && !selected) continue
    edits.push({ at: token.start, remove: 0, insert: 'dyn(' })
    edits.push({ at: close.start + 1, remove: 0, insert: ')' })
  }
  return edits
}

/** `.5` -> `0.5` where the point starts a number (not a member access). */
export function pointNumberEdits(tokens: Token[]): Edit[] {
  const edits: Edit[] = []
  for (const [n, token] of tokens.entries()) {
    const next = tokens[n + 1]
    if (
      token.text !== '.' ||
      next === undefined ||
      next.start !== token.start + 1 ||
      !/^[0-9]$/.test(next.text)
    )
      continue
    const previous = tokens[n - 1]
    if (previous === undefined || UNARY_AFTER.has(previous.text) || previous.text === 'in')
      edits.push({ at: token.start, remove: 0, insert: '0' })
  }
  return edits
}

/** The index after the member expression starting at token `n` (undefined for a literal). */
function memberEnd(tokens: Token[], n: number): number | undefined {
  const first = tokens[n]
  if (first === undefined) return undefined
  let i: number
  if (first.kind === 'ident') {
    if (first.text === 'true' || first.text === 'false' || first.text === 'null') return undefined
    i = n + 1
    if (tokens[i]?.text === '(') i = closingToken(tokens, i) + 1
  } else if (OPENING.has(first.text)) i = closingToken(tokens, n) + 1
  else if (first.text === '.' && tokens[n + 1]?.kind === 'ident') i = n + 2
  else return undefined
  for (;;) {
    if (tokens[i]?.text === '.' && tokens[i + 1]?.kind === 'ident') {
      i += 2
      if (tokens[i]?.text === '(') i = closingToken(tokens, i) + 1
    } else if (tokens[i]?.text === '[') i = closingToken(tokens, i) + 1
    else return Math.min(i, tokens.length)
  }
}

/** `text` with the edits applied (edits do not overlap). */
export function applyEdits(text: string, edits: Edit[]): string {
  if (edits.length === 0) return text
  const sorted = [...edits].sort((a, b) => a.at - b.at || a.remove - b.remove)
  let out = ''
  let copied = 0
  for (const edit of sorted) {
    out += text.slice(copied, edit.at) + edit.insert
    copied = edit.at + edit.remove
  }
  return out + text.slice(copied)
}
