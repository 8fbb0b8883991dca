// Go's json.Decoder.readValue: where the first JSON value of a body ends, read as the bytes come.
// Go's decoder returns once that value is whole (an object or array at its closing bracket; a
// string, number or literal at the byte after it), or at the first byte that cannot be JSON, and
// never looks at the rest: a backend that keeps its body open after `{"a":1}` is answered at once.

/** Go's scanner refuses JSON nested deeper than this (encoding/json maxNestingDepth). */
export const MAX_DEPTH = 10000

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

/** What feed found: the value needs more bytes, or it failed (see `error`). */
export const NEEDS_MORE = -1
export const FAILED_AT = -2

/** Go's scanner over the first value of a body that arrives in pieces. */
export class FirstValueScanner {
  /** The syntax error, once feed returned FAILED_AT. */
  error = ''
  #stack: number[] = []
  #state = BEGIN_VALUE
  #literal = ''
  #literalAt = 0
  #hexDigits = 0
  /** Bytes fed before the current piece. */
  #offset = 0

  /**
   * The next piece of the body: the offset in the whole body just after the first value when it
   * is whole now, NEEDS_MORE, or FAILED_AT (and `error`).
   */
  feed(piece: Uint8Array): number {
    const n = piece.length
    for (let i = 0; i < n; i += 1) {
      const c = piece[i] as number
      // Inside a string most bytes change nothing: the common case, kept out of step().
      if (this.#state === IN_STRING && c !== 0x22 && c !== 0x5c && c >= 0x20) continue
      const result = this.#step(c)
      if (result === CONTINUE) continue
      if (result === FAILED) return FAILED_AT
      const end = this.#offset + (result === ENDED_HERE ? i + 1 : i)
      this.#offset += n
      return end
    }
    this.#offset += n
    return NEEDS_MORE
  }

  /** At the end of the body Go steps a space through the scanner: a number or literal ends there. */
  endsAtEof(): boolean {
    return this.#step(0x20) === ENDED
  }

  #fail(c: number, context: string): number {
    this.error = `invalid character ${goQuoteChar(c)} ${context}`
    return FAILED
  }

  #open(c: number, container: number, next: number): number {
    this.#stack.push(container)
    this.#state = next
    return this.#stack.length <= MAX_DEPTH ? CONTINUE : this.#fail(c, 'exceeded max depth')
  }

  #close(): number {
    this.#stack.pop()
    this.#state = END_VALUE
    return this.#stack.length === 0 ? ENDED_HERE : CONTINUE
  }

  #endValue(c: number): number {
    const stack = this.#stack
    const depth = stack.length
    // Go's stateEndTop: the top-level value is over, whatever this byte is.
    if (depth === 0) return ENDED
    this.#state = END_VALUE
    if (isSpace(c)) return CONTINUE
    switch (stack[depth - 1]) {
      case OBJECT_KEY:
        if (c !== 0x3a) return this.#fail(c, 'after object key')
        stack[depth - 1] = OBJECT_VALUE
        this.#state = BEGIN_VALUE
        return CONTINUE
      case OBJECT_VALUE:
        if (c === 0x2c) {
          stack[depth - 1] = OBJECT_KEY
          this.#state = BEGIN_KEY
          return CONTINUE
        }
        return c === 0x7d ? this.#close() : this.#fail(c, 'after object key:value pair')
      default:
        if (c === 0x2c) {
          this.#state = BEGIN_VALUE
          return CONTINUE
        }
        return c === 0x5d ? this.#close() : this.#fail(c, 'after array element')
    }
  }

  #beginValue(c: number): number {
    if (isSpace(c)) return CONTINUE
    switch (c) {
      case 0x7b:
        return this.#open(c, OBJECT_KEY, BEGIN_KEY_OR_EMPTY)
      case 0x5b:
        return this.#open(c, ARRAY_VALUE, BEGIN_VALUE_OR_EMPTY)
      case 0x22:
        this.#state = IN_STRING
        return CONTINUE
      case 0x2d:
        this.#state = NEGATIVE
        return CONTINUE
      case 0x30:
        this.#state = AFTER_INTEGER
        return CONTINUE
      case 0x74:
      case 0x66:
      case 0x6e:
        this.#literal = c === 0x74 ? 'true' : c === 0x66 ? 'false' : 'null'
        this.#literalAt = 1
        this.#state = LITERAL
        return CONTINUE
    }
    if (c >= 0x31 && c <= 0x39) {
      this.#state = INTEGER
      return CONTINUE
    }
    return this.#fail(c, 'looking for beginning of value')
  }

  #beginKey(c: number): number {
    if (c !== 0x22) return this.#fail(c, 'looking for beginning of object key string')
    this.#state = IN_STRING
    return CONTINUE
  }

  #afterInteger(c: number): number {
    if (c === 0x2e) {
      this.#state = DOT
      return CONTINUE
    }
    if (c === 0x65 || c === 0x45) {
      this.#state = EXPONENT
      return CONTINUE
    }
    return this.#endValue(c)
  }

  #exponentSign(c: number): number {
    if (!isDigit(c)) return this.#fail(c, 'in exponent of numeric literal')
    this.#state = EXPONENT_DIGITS
    return CONTINUE
  }

  #step(c: number): number {
    switch (this.#state) {
      case BEGIN_VALUE:
        return this.#beginValue(c)
      case BEGIN_VALUE_OR_EMPTY:
        if (isSpace(c)) return CONTINUE
        return c === 0x5d ? this.#endValue(c) : this.#beginValue(c)
      case BEGIN_KEY_OR_EMPTY:
        if (isSpace(c)) return CONTINUE
        if (c === 0x7d) {
          this.#stack[this.#stack.length - 1] = OBJECT_VALUE
          return this.#endValue(c)
        }
        return this.#beginKey(c)
      case BEGIN_KEY:
        return isSpace(c) ? CONTINUE : this.#beginKey(c)
      case END_VALUE:
        return this.#endValue(c)
      case IN_STRING:
        if (c === 0x22) this.#state = END_VALUE
        else if (c === 0x5c) this.#state = IN_ESCAPE
        else if (c < 0x20) return this.#fail(c, 'in string literal')
        return CONTINUE
      case IN_ESCAPE:
        if (c === 0x75) {
          this.#hexDigits = 0
          this.#state = IN_UNICODE_ESCAPE
          return CONTINUE
        }
        if (!'bfnrt\\/"'.includes(String.fromCharCode(c))) return this.#fail(c, 'in string escape code')
        this.#state = IN_STRING
        return CONTINUE
      case IN_UNICODE_ESCAPE:
        if (!isHex(c)) return this.#fail(c, 'in \\u hexadecimal character escape')
        this.#hexDigits += 1
        if (this.#hexDigits === 4) this.#state = IN_STRING
        return CONTINUE
      case NEGATIVE:
        if (c === 0x30) this.#state = AFTER_INTEGER
        else if (c >= 0x31 && c <= 0x39) this.#state = INTEGER
        else return this.#fail(c, 'in numeric literal')
        return CONTINUE
      case INTEGER:
        return isDigit(c) ? CONTINUE : this.#afterInteger(c)
      case AFTER_INTEGER:
        return this.#afterInteger(c)
      case DOT:
        if (!isDigit(c)) return this.#fail(c, 'after decimal point in numeric literal')
        this.#state = FRACTION
        return CONTINUE
      case FRACTION:
        if (isDigit(c)) return CONTINUE
        if (c === 0x65 || c === 0x45) {
          this.#state = EXPONENT
          return CONTINUE
        }
        return this.#endValue(c)
      case EXPONENT:
        if (c === 0x2b || c === 0x2d) {
          this.#state = EXPONENT_SIGN
          return CONTINUE
        }
        return this.#exponentSign(c)
      case EXPONENT_SIGN:
        return this.#exponentSign(c)
      case EXPONENT_DIGITS:
        return isDigit(c) ? CONTINUE : this.#endValue(c)
      default: {
        const literal = this.#literal
        const expected = literal.charCodeAt(this.#literalAt)
        if (c !== expected) return this.#fail(c, `in literal ${literal} (expecting ${goQuoteChar(expected)})`)
        this.#literalAt += 1
        if (this.#literalAt === literal.length) this.#state = END_VALUE
        return CONTINUE
      }
    }
  }
}

export type FirstValue = { end: number; error?: undefined } | { end?: undefined; error: string }

/**
 * Go's Decoder.readValue over a whole body: the index just after the first JSON value, or the
 * error Decode reports (a syntax error, `EOF` for a body of white space, `unexpected EOF` for a
 * value cut short). Nothing after the first value is looked at.
 */
export function scanFirstValue(bytes: Uint8Array): FirstValue {
  const scanner = new FirstValueScanner()
  const end = scanner.feed(bytes)
  if (end === FAILED_AT) return { error: scanner.error }
  if (end !== NEEDS_MORE) return { end }
  if (scanner.endsAtEof()) return { end: bytes.length }
  return { error: bytes.some((c) => !isSpace(c)) ? 'unexpected EOF' : 'EOF' }
}
