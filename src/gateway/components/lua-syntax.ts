/**
 * gopher-lua's lexer (Lua 5.1) run over a script before fengari (Lua 5.3) compiles it, so that a
 * script reads as KrakenD reads it:
 * - 5.3's operators (`&`, `|`, `~`, `<<`, `>>`, `//`) and characters 5.1 has no token for are
 *   refused with gopher-lua's error (KrakenD starts and fails every call with it);
 * - string escapes 5.1 does not know (`\x41`, `\z`, `\u{41}`, `\q`) are the character after the
 *   backslash, and a decimal escape above 255 wraps, as gopher-lua writes them;
 * - numerals are gopher-lua's: a hex numeral stops at its last hex digit (`0x1p4` is `0x1` then
 *   `p4`), one leading zero is dropped, and the value is Go's ParseInt/ParseFloat of the rest (a
 *   numeral Go cannot read, such as `1e400`, is NaN);
 * - `break` ends its block, as in 5.1 (`break local x = 1` does not compile), and `_ENV` is a plain
 *   name, not 5.3's globals.
 * The script comes back rewritten where it differs (same lines), or with binder's error text.
 */
import { gopherParseNumber } from './lua-go-parse.ts'

export type Gopherized =
  | { source: string; error?: undefined }
  | {
      error: string
      source?: undefined
      line: number
      column: number
      /** Where the refused token starts in the script. */
      offset: number
      near: string
      message: string
    }

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9'
const isHex = (c: string | undefined) => c !== undefined && /[0-9a-fA-F]/.test(c)
const isIdent = (c: string | undefined, first: boolean) =>
  c !== undefined && (c === '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && isDigit(c)))
const BLOCK_ENDS = new Set(['end', 'else', 'elseif', 'until'])
const PLAIN_ENV = '__gopher_ENV'
const SIMPLE_ESCAPES = 'abfnrtv\\"\'\n\r'
const PLAIN_TOKENS = '+*%^#(){}];,-=<>[.:/'

/** The script as gopher-lua reads it, or binder's message for gopher-lua's syntax error ("Line N: ..."). */
export function gopherize(source: string): Gopherized {
  const first = scan(source, undefined)
  if (first.error !== undefined || !first.varargs.some((vararg) => vararg !== undefined)) return first.result
  return scan(source, first.varargs).result
}

/**
 * gopher-lua (CompatVarArg) gives every vararg function but the main chunk a local `arg`: a table of
 * its arguments with `n` their count, or nil when the function's own body uses `...`. Known after a
 * first pass over the script: per `function` keyword, in order, undefined (no `...` parameter) or
 * whether its body uses `...`; the second pass writes the local after the parameter list.
 */
const ARG_TABLE = " local arg = {n = select('#', ...), ...}; "
const ARG_NIL = ' local arg; '

interface FunctionFrame {
  index: number
  depth: number
  params: 'before' | 'open' | 'closed'
}

function scan(
  source: string,
  decided: Array<boolean | undefined> | undefined,
): { result: Gopherized; error?: true; varargs: Array<boolean | undefined> } {
  const varargs: Array<boolean | undefined> = []
  const frames: FunctionFrame[] = []
  let depth = 0
  let out = ''
  let copied = 0
  let line = 1
  let i = 0
  let lineStart = 0
  const fail = (near: string, message: string, at = i) => ({
    result: {
      error: `Line ${line}: '${near}': ${message}`,
      line,
      column: at - lineStart + 1,
      offset: at,
      near,
      message,
    } as Gopherized,
    error: true as const,
    varargs,
  })
  const longBracket = (at: number): number => {
    // `[` `=`* `[` opens a long string; answers its level, or -1.
    let j = at + 1
    while (source[j] === '=') j += 1
    return source[j] === '[' ? j - at - 1 : -1
  }
  const skipLong = (at: number, level: number): number => {
    const close = `]${'='.repeat(level)}]`
    const end = source.indexOf(close, at + level + 2)
    const stop = end === -1 ? source.length : end + close.length
    for (let j = at; j < stop; j += 1) if (source[j] === '\n') line += 1
    return stop
  }
  // After `break`: 5.1 ends the block there (an optional `;`, then `end`, `else`, `elseif`, `until` or
  // the end of the script); gopher-lua's parser fails on any other token.
  let afterBreak: 'break' | 'semicolon' | undefined
  while (i < source.length) {
    const c = source[i] as string
    if (afterBreak && !' \t\r\n'.includes(c) && !(c === '-' && source[i + 1] === '-')) {
      if (c === ';' && afterBreak === 'break') {
        afterBreak = 'semicolon'
        i += 1
        continue
      }
      const word = tokenText(source, i)
      if (!BLOCK_ENDS.has(word)) return fail(word, 'syntax error')
      afterBreak = undefined
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i += 1
    } else if (c === '\n') {
      line += 1
      i += 1
      lineStart = i
    } else if (c === '-' && source[i + 1] === '-') {
      const level = source[i + 2] === '[' ? longBracket(i + 2) : -1
      if (level >= 0) i = skipLong(i + 2, level)
      else {
        const end = source.indexOf('\n', i)
        i = end === -1 ? source.length : end
      }
    } else if (c === '[' && longBracket(i) >= 0) {
      i = skipLong(i, longBracket(i))
    } else if (c === '"' || c === "'") {
      let j = i + 1
      let text = ''
      let rewritten = false
      while (j < source.length && source[j] !== c && source[j] !== '\n') {
        if (source[j] !== '\\') {
          text += source[j]
          j += 1
          continue
        }
        const next = source[j + 1]
        if (next === undefined) break
        if (SIMPLE_ESCAPES.includes(next)) {
          text += `\\${next}`
          if (next === '\n') line += 1
          j += 2
        } else if (isDigit(next)) {
          let k = j + 1
          while (k < j + 4 && isDigit(source[k])) k += 1
          const value = Number(source.slice(j + 1, k)) % 256
          text += `\\${String(value).padStart(3, '0')}`
          rewritten ||= value !== Number(source.slice(j + 1, k))
          j = k
        } else {
          text += next
          rewritten = true
          j += 2
        }
      }
      if (rewritten) {
        out += `${source.slice(copied, i)}${c}${text}`
        copied = j
      }
      i = j + 1
    } else if (isIdent(c, true)) {
      let j = i + 1
      while (isIdent(source[j], false)) j += 1
      const word = source.slice(i, j)
      if (word === 'break') afterBreak = 'break'
      else if (word === '_ENV') {
        // A plain name in 5.1 (5.3 would take a local `_ENV` as the globals).
        out += `${source.slice(copied, i)}${PLAIN_ENV}`
        copied = j
      }
      if (word === 'function') {
        depth += 1
        frames.push({ index: varargs.length, depth, params: 'before' })
        varargs.push(undefined)
      } else if (word === 'if' || word === 'do' || word === 'repeat') depth += 1
      else if (word === 'end' || word === 'until') {
        if (frames.at(-1)?.depth === depth) frames.pop()
        depth -= 1
      }
      i = j
    } else if (c === '.' && source[i + 1] === '.' && source[i + 2] === '.') {
      const frame = frames.at(-1)
      if (frame?.params === 'open') varargs[frame.index] = false
      else if (frame && varargs[frame.index] !== undefined) varargs[frame.index] = true
      i += 3
    } else if ((c === '(' || c === ')') && frames.at(-1)?.params === (c === '(' ? 'before' : 'open')) {
      const frame = frames.at(-1) as FunctionFrame
      frame.params = c === '(' ? 'open' : 'closed'
      const usesVarargs = decided?.[frame.index]
      if (c === ')' && usesVarargs !== undefined) {
        out += `${source.slice(copied, i + 1)}${usesVarargs ? ARG_NIL : ARG_TABLE}`
        copied = i + 1
      }
      i += 1
    } else if (isDigit(c) || (c === '.' && isDigit(source[i + 1]))) {
      const { end, text } = numeral(source, i)
      const value = gopherParseNumber(text) ?? Number.NaN
      const written = source.slice(i, end)
      // An exponent reads the character after the 'e' whatever it is, a newline too: the line stays counted.
      const newlines = written.split('\n').length - 1
      const plain = written === text && /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)
      if (!plain || Number(text) !== value) {
        out += `${source.slice(copied, i)} ${Number.isNaN(value) ? '(0/0)' : String(value)} ${'\n'.repeat(newlines)}`
        copied = end
      }
      if (newlines > 0) {
        line += newlines
        lineStart = written.lastIndexOf('\n') + i + 1
      }
      if (/^0[xX]$/.test(text)) return fail(text, 'illegal hexadecimal number')
      i = end
    } else if (c === '~') {
      if (source[i + 1] !== '=') return fail('~', "Invalid '~' token")
      i += 2
    } else if ((c === '/' || c === '<' || c === '>') && source[i + 1] === c) {
      return fail(c, 'syntax error', i + 1)
    } else if (PLAIN_TOKENS.includes(c)) {
      i += c === '<' || c === '>' || c === '=' ? (source[i + 1] === '=' ? 2 : 1) : 1
    } else {
      return fail(c, 'Invalid token')
    }
  }
  return { result: { source: copied === 0 ? source : out + source.slice(copied) }, varargs }
}

/** How gopher-lua's syntax error names the token at `at`: a name or numeral whole, a string by its text. */
function tokenText(source: string, at: number): string {
  const c = source[at] as string
  if (isIdent(c, true)) return /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(at, at + 64))?.[0] ?? c
  if (isDigit(c)) return numeral(source, at).text
  if (c === '"' || c === "'") return /^[^\n]*?(?=['"]|$)/.exec(source.slice(at + 1))?.[0] ?? ''
  return c
}

/** gopher-lua's scanNumber from `at`: where it ends and the text it hands to parseNumber. */
function numeral(source: string, at: number): { end: number; text: string } {
  let i = at
  let text = ''
  if (source[i] === '0' && (source[i + 1] === 'x' || source[i + 1] === 'X')) {
    i += 2
    while (isHex(source[i])) i += 1
    return { end: i, text: source.slice(at, i) }
  }
  if (source[i] === '0' && source[i + 1] !== '.' && isDigit(source[i + 1])) i += 1
  const decimal = () => {
    text += source[i]
    i += 1
    while (isDigit(source[i])) {
      text += source[i]
      i += 1
    }
  }
  decimal()
  if (source[i] === '.') decimal()
  if (source[i] === 'e' || source[i] === 'E') {
    text += source[i]
    i += 1
    if (source[i] === '-' || source[i] === '+') {
      text += source[i]
      i += 1
    }
    if (i < source.length) decimal()
  }
  return { end: i, text }
}
