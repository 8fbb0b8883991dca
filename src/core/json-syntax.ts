/**
 * Where a JSON text that JSON.parse refused goes wrong. V8 gives a position for most errors, but
 * not for an unexpected token ("Unexpected token 'x', ..." is not valid JSON") or a byte order mark:
 * this scanner follows the JSON grammar (RFC 8259, as JSON.parse reads it) to the first offset
 * that breaks it.
 */

class Stop {
  readonly offset: number
  constructor(offset: number) {
    this.offset = offset
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r'])
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't'])
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9'
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c)

/** The offset (UTF-16, as the string indexes) of the first syntax error; undefined when there is none. */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  let i = 0
  const stop = (): never => {
    throw new Stop(i)
  }
  const space = () => {
    while (i < text.length && WHITESPACE.has(text[i] as string)) i++
  }
  const expect = (c: string) => {
    if (text[i] !== c) stop()
    i++
  }
  const string = () => {
    expect('"')
    for (;;) {
      const c = text[i]
      if (c === undefined) stop()
      if (c === '"') {
        i++
        return
      }
      if (c === '\\') {
        i++
        const escaped = text[i]
        if (escaped === 'u') {
          i++
          for (let k = 0; k < 4; k++, i++) if (!isHex(text[i])) stop()
          continue
        }
        if (escaped === undefined || !ESCAPES.has(escaped)) stop()
        i++
        continue
      }
      if ((c as string).charCodeAt(0) < 0x20) stop()
      i++
    }
  }
  const digits = () => {
    if (!isDigit(text[i])) stop()
    while (isDigit(text[i])) i++
  }
  const number = () => {
    if (text[i] === '-') i++
    if (text[i] === '0') i++
    else digits()
    if (text[i] === '.') {
      i++
      digits()
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++
      if (text[i] === '+' || text[i] === '-') i++
      digits()
    }
  }
  const literal = (word: string) => {
    for (const c of word) expect(c)
  }
  const value = (): void => {
    space()
    const c = text[i]
    if (c === '{') members('}', member)
    else if (c === '[') members(']', value)
    else if (c === '"') string()
    else if (c === 't') literal('true')
    else if (c === 'f') literal('false')
    else if (c === 'n') literal('null')
    else if (c === '-' || isDigit(c)) number()
    else stop()
  }
  const member = () => {
    string()
    space()
    expect(':')
    value()
  }
  const members = (close: string, item: () => void) => {
    i++
    space()
    if (text[i] === close) {
      i++
      return
    }
    for (;;) {
      space()
      item()
      space()
      if (text[i] === ',') i++
      else return expect(close)
    }
  }
  try {
    value()
    space()
    if (i < text.length) stop()
    return undefined
  } catch (error) {
    if (error instanceof Stop) return error.offset
    // Nesting deeper than the stack: the position stays unknown.
    if (error instanceof RangeError) return undefined
    throw error
  }
}
