// Backend JSON as Go's json.Decoder.Decode (lura's JSON decoders, UseNumber) reads it: the plain
// parse first, keeping number texts JavaScript would print differently; for a body JSON.parse
// refuses as a whole, the first JSON value only (Go never looks at what follows it) and
// encoding/json's own messages.
import { GoNumber } from './go-json.ts'
import { mayHoldSurrogateEscape, wellFormedStrings } from './go-json-surrogates.ts'
import { goUtf8 } from './go-utf8.ts'

/** Go's scanner refuses JSON nested deeper than this (encoding/json maxNestingDepth). */
const MAX_DEPTH = 10000

/**
 * Whether `text` holds a number whose JavaScript value may print differently from its text: 16 or
 * more digits (past float64's 15 exact ones), a fraction ending in 0, an exponent, -0, or a value
 * below 1e-6 (JavaScript switches to exponent form). Digits inside strings count too: a false
 * positive only costs the slower exact parse. One pass, no regular expression (this runs on every
 * backend body).
 */
export function mayLoseNumberText(text: string): boolean {
  const n = text.length
  for (let i = 0; i < n; i += 1) {
    if (!isDigit(text.charCodeAt(i))) continue
    const start = i
    i = digitsEnd(text, i)
    const intDigits = i - start
    if (intDigits >= 16) return true
    const zeroInt = intDigits === 1 && text.charCodeAt(start) === 48
    if (text.charCodeAt(i) === 46) {
      const fraction = i + 1
      i = digitsEnd(text, fraction)
      const fractionDigits = i - fraction
      if (fractionDigits > 0 && text.charCodeAt(i - 1) === 48) return true
      if (intDigits + fractionDigits >= 16) return true
      if (zeroInt && text.startsWith('000000', fraction)) return true
    } else if (zeroInt && start > 0 && text.charCodeAt(start - 1) === 45) return true
    const next = text.charCodeAt(i)
    if (next === 101 || next === 69) return true
  }
  return false
}

/** The index after the run of digits starting at `from`. */
function digitsEnd(text: string, from: number): number {
  let i = from
  while (i < text.length && isDigit(text.charCodeAt(i))) i += 1
  return i
}

function keepNumberText(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && context?.source !== undefined && context.source !== String(value))
    return new GoNumber(context.source)
  return value
}

/**
 * Whether `text` nests arrays and objects deeper than Go's decoder accepts. Only a body longer than
 * 2 × 10000 characters can, so ordinary bodies are not scanned at all.
 */
export function exceedsGoDepth(text: string): boolean {
  if (text.length <= 2 * MAX_DEPTH + 1) return false
  let depth = 0
  const n = text.length
  for (let i = 0; i < n; i += 1) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      i = stringEnd(text, i)
      if (i === -1) return false
    } else if (c === 91 || c === 123) {
      depth += 1
      if (depth > MAX_DEPTH) return true
    } else if (c === 93 || c === 125) depth -= 1
  }
  return false
}

/** The index of the quote closing the string that opens at `open`, or -1. */
function stringEnd(text: string, open: number): number {
  let j = open
  for (;;) {
    j = text.indexOf('"', j + 1)
    if (j === -1) return -1
    let backslashes = 0
    while (text.charCodeAt(j - 1 - backslashes) === 92) backslashes += 1
    if (backslashes % 2 === 0) return j
  }
}

/** JSON.parse that keeps number texts as KrakenD does; the exact (reviver) path only when needed.
 * Nesting deeper than Go's 10000 levels fails as Go's decoder does ("exceeded max depth"). */
export function parseJsonKeepingNumbers(text: string): unknown {
  const value = parseKeepingNumbers(text)
  return mayHoldSurrogateEscape(text) ? wellFormedStrings(value) : value
}

function parseKeepingNumbers(text: string): unknown {
  if (exceedsGoDepth(text)) throw new SyntaxError('exceeded max depth')
  if (!mayLoseNumberText(text)) return JSON.parse(text)
  try {
    return JSON.parse(text, keepNumberText as (key: string, value: unknown) => unknown)
  } catch (error) {
    // V8's reviver recurses: a body nested some thousands deep (Go takes 10000) is read without
    // it, its numbers then printed as JavaScript prints them.
    if (error instanceof RangeError) return JSON.parse(text)
    throw error
  }
}

// Where the scanner is inside the value (one state per step function of Go's scanner).
const BEGIN_VALUE = 0
const BEGIN_VALUE_OR_EMPTY = 1
const BEGIN_KEY_OR_EMPTY = 2
const BEGIN_KEY = 3
const END_VALUE = 4
const IN_STRING = 5
const IN_ESCAPE = 6
const IN_UNICODE_ESCAPE = 7
const NEGATIVE = 8
const INTEGER = 9
const AFTER_INTEGER = 10
const DOT = 11
const FRACTION = 12
const EXPONENT = 13
const EXPONENT_SIGN = 14
const EXPONENT_DIGITS = 15
const LITERAL = 16

// What the enclosing container expects next.
const OBJECT_KEY = 0
const OBJECT_VALUE = 1
const ARRAY_VALUE = 2

// What a step reports.
const CONTINUE = 0
/** The value ended before this byte. */
const ENDED = 1
/** The value ended with this byte (its closing bracket). */
const ENDED_HERE = 2
const FAILED = 3

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d
const isDigit = (c: number) => c >= 0x30 && c <= 0x39
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)

const NAMED_ESCAPES: Record<number, string> = {
  7: '\\a',
  8: '\\b',
  9: '\\t',
  10: '\\n',
  11: '\\v',
  12: '\\f',
  13: '\\r',
  92: '\\\\',
}

/**
 * A byte as Go's scanner names it in an error (quoteChar): the byte taken as a rune and quoted
 * like strconv.Quote, between single quotes. A byte of a UTF-8 sequence is a Latin-1 rune, so
 * the first byte of `é` shows as 'Ã'.
 */
export function goQuoteChar(c: number): string {
  if (c === 0x27) return "'\\''"
  if (c === 0x22) return `'"'`
  const named = NAMED_ESCAPES[c]
  if (named !== undefined) return `'${named}'`
  const hex = c.toString(16).padStart(2, '0')
  if (c < 0x20 || c === 0x7f) return `'\\x${hex}'`
  // C1 controls, no-break space and soft hyphen are not printable for strconv.
  if ((c >= 0x80 && c <= 0xa0) || c === 0xad) return `'\\u00${hex}'`
  return `'${String.fromCharCode(c)}'`
}

export type FirstValue = { end: number; error?: undefined } | { end?: undefined; error: string }

/**
 * Go's Decoder.readValue over a whole body: the index just after the first JSON value, or the
 * error Decode reports (a syntax error, `EOF` for a body of white space, `unexpected EOF` for a
 * value cut short). Nothing after the first value is looked at.
 */
export function scanFirstValue(bytes: Uint8Array): FirstValue {
  const stack: number[] = []
  let state = BEGIN_VALUE
  let literal = ''
  let literalAt = 0
  let hexDigits = 0
  let error = ''

  const fail = (c: number, context: string): number => {
    error = `invalid character ${goQuoteChar(c)} ${context}`
    return FAILED
  }
  const open = (c: number, container: number, next: number): number => {
    stack.push(container)
    state = next
    return stack.length <= MAX_DEPTH ? CONTINUE : fail(c, 'exceeded max depth')
  }
  const close = (): number => {
    stack.pop()
    state = END_VALUE
    return stack.length === 0 ? ENDED_HERE : CONTINUE
  }

  const endValue = (c: number): number => {
    const depth = stack.length
    // Go's stateEndTop: the top-level value is over, whatever this byte is.
    if (depth === 0) return ENDED
    state = END_VALUE
    if (isSpace(c)) return CONTINUE
    switch (stack[depth - 1]) {
      case OBJECT_KEY:
        if (c !== 0x3a) return fail(c, 'after object key')
        stack[depth - 1] = OBJECT_VALUE
        state = BEGIN_VALUE
        return CONTINUE
      case OBJECT_VALUE:
        if (c === 0x2c) {
          stack[depth - 1] = OBJECT_KEY
          state = BEGIN_KEY
          return CONTINUE
        }
        return c === 0x7d ? close() : fail(c, 'after object key:value pair')
      default:
        if (c === 0x2c) {
          state = BEGIN_VALUE
          return CONTINUE
        }
        return c === 0x5d ? close() : fail(c, 'after array element')
    }
  }

  const beginValue = (c: number): number => {
    if (isSpace(c)) return CONTINUE
    switch (c) {
      case 0x7b:
        return open(c, OBJECT_KEY, BEGIN_KEY_OR_EMPTY)
      case 0x5b:
        return open(c, ARRAY_VALUE, BEGIN_VALUE_OR_EMPTY)
      case 0x22:
        state = IN_STRING
        return CONTINUE
      case 0x2d:
        state = NEGATIVE
        return CONTINUE
      case 0x30:
        state = AFTER_INTEGER
        return CONTINUE
      case 0x74:
      case 0x66:
      case 0x6e:
        literal = c === 0x74 ? 'true' : c === 0x66 ? 'false' : 'null'
        literalAt = 1
        state = LITERAL
        return CONTINUE
    }
    if (c >= 0x31 && c <= 0x39) {
      state = INTEGER
      return CONTINUE
    }
    return fail(c, 'looking for beginning of value')
  }

  const beginKey = (c: number): number => {
    if (c !== 0x22) return fail(c, 'looking for beginning of object key string')
    state = IN_STRING
    return CONTINUE
  }

  const afterInteger = (c: number): number => {
    if (c === 0x2e) {
      state = DOT
      return CONTINUE
    }
    if (c === 0x65 || c === 0x45) {
      state = EXPONENT
      return CONTINUE
    }
    return endValue(c)
  }

  const exponentSign = (c: number): number => {
    if (!isDigit(c)) return fail(c, 'in exponent of numeric literal')
    state = EXPONENT_DIGITS
    return CONTINUE
  }

  const step = (c: number): number => {
    switch (state) {
      case BEGIN_VALUE:
        return beginValue(c)
      case BEGIN_VALUE_OR_EMPTY:
        if (isSpace(c)) return CONTINUE
        return c === 0x5d ? endValue(c) : beginValue(c)
      case BEGIN_KEY_OR_EMPTY:
        if (isSpace(c)) return CONTINUE
        if (c === 0x7d) {
          stack[stack.length - 1] = OBJECT_VALUE
          return endValue(c)
        }
        return beginKey(c)
      case BEGIN_KEY:
        return isSpace(c) ? CONTINUE : beginKey(c)
      case END_VALUE:
        return endValue(c)
      case IN_STRING:
        if (c === 0x22) state = END_VALUE
        else if (c === 0x5c) state = IN_ESCAPE
        else if (c < 0x20) return fail(c, 'in string literal')
        return CONTINUE
      case IN_ESCAPE:
        if (c === 0x75) {
          hexDigits = 0
          state = IN_UNICODE_ESCAPE
          return CONTINUE
        }
        if (!'bfnrt\\/"'.includes(String.fromCharCode(c))) return fail(c, 'in string escape code')
        state = IN_STRING
        return CONTINUE
      case IN_UNICODE_ESCAPE:
        if (!isHex(c)) return fail(c, 'in \\u hexadecimal character escape')
        hexDigits += 1
        if (hexDigits === 4) state = IN_STRING
        return CONTINUE
      case NEGATIVE:
        if (c === 0x30) state = AFTER_INTEGER
        else if (c >= 0x31 && c <= 0x39) state = INTEGER
        else return fail(c, 'in numeric literal')
        return CONTINUE
      case INTEGER:
        return isDigit(c) ? CONTINUE : afterInteger(c)
      case AFTER_INTEGER:
        return afterInteger(c)
      case DOT:
        if (!isDigit(c)) return fail(c, 'after decimal point in numeric literal')
        state = FRACTION
        return CONTINUE
      case FRACTION:
        if (isDigit(c)) return CONTINUE
        if (c === 0x65 || c === 0x45) {
          state = EXPONENT
          return CONTINUE
        }
        return endValue(c)
      case EXPONENT:
        if (c === 0x2b || c === 0x2d) {
          state = EXPONENT_SIGN
          return CONTINUE
        }
        return exponentSign(c)
      case EXPONENT_SIGN:
        return exponentSign(c)
      case EXPONENT_DIGITS:
        return isDigit(c) ? CONTINUE : endValue(c)
      default: {
        const expected = literal.charCodeAt(literalAt)
        if (c !== expected) return fail(c, `in literal ${literal} (expecting ${goQuoteChar(expected)})`)
        literalAt += 1
        if (literalAt === literal.length) state = END_VALUE
        return CONTINUE
      }
    }
  }

  for (let i = 0; i < bytes.length; i += 1) {
    const result = step(bytes[i] as number)
    if (result === ENDED) return { end: i }
    if (result === ENDED_HERE) return { end: i + 1 }
    if (result === FAILED) return { error }
  }
  // At the end of the body Go steps a space through the scanner: a number or literal ends there.
  if (step(0x20) === ENDED) return { end: bytes.length }
  return { error: bytes.some((c) => !isSpace(c)) ? 'unexpected EOF' : 'EOF' }
}

/** The first JSON value of `bytes` as text (Go's UTF-8 reading), or the error Go's Decode reports. */
export function firstValueText(bytes: Uint8Array): { text: string; error?: undefined } | { error: string } {
  const first = scanFirstValue(bytes)
  if (first.error !== undefined) return { error: first.error }
  const value = bytes.subarray(0, first.end)
  const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8')
  return { text: text.includes('\uFFFD') ? goUtf8(value) : text }
}

/** Go's name for the kind of a decoded JSON value, as UnmarshalTypeError words it. */
function goKind(value: unknown): string {
  if (Array.isArray(value)) return 'array'
  if (value instanceof GoNumber) return 'number'
  switch (typeof value) {
    case 'string':
      return 'string'
    case 'boolean':
      return 'bool'
    case 'number':
      return 'number'
    default:
      return 'object'
  }
}

/** Decoding into lura's map[string]interface{} (the entity decoder). */
export const GO_MAP = 'map[string]interface {}'
/** Decoding into lura's []interface{} (the is_collection decoder). */
export const GO_SLICE = '[]interface {}'

/** encoding/json's UnmarshalTypeError for a top-level value of the wrong kind. */
export function goUnmarshalTypeError(value: unknown, goType: string): string {
  return `json: cannot unmarshal ${goKind(value)} into Go value of type ${goType}`
}
