// Backend JSON as Go's json.Decoder.Decode (lura's JSON decoders, UseNumber) reads it: the plain
// parse first, keeping number texts JavaScript would print differently; for a body JSON.parse
// refuses as a whole, the first JSON value only (Go never looks at what follows it) and
// encoding/json's own messages.
import { GoNumber } from './go-json.ts'
import { MAX_DEPTH, scanFirstValue } from './go-json-scanner.ts'
import { mayHoldSurrogateEscape, wellFormedStrings } from './go-json-surrogates.ts'
import { goUtf8 } from './go-utf8.ts'

export { type FirstValue, goQuoteChar, scanFirstValue } from './go-json-scanner.ts'

/**
 * Whether `text` holds a number whose JavaScript value may print differently from its text: 16 or
 * more digits (past float64's 15 exact ones), a fraction ending in 0, an exponent, -0, or a value
 * below 1e-6 (JavaScript switches to exponent form). One pass, no regular expression (this runs on
 * every backend body); strings are jumped over with indexOf (their digits are no numbers, and most
 * of a body is strings). After a string that does not end (no valid JSON), digits in strings count
 * too: a false positive only costs the slower exact parse.
 */
export function mayLoseNumberText(text: string): boolean {
  const n = text.length
  let skipStrings = true
  for (let i = 0; i < n; i += 1) {
    const c = text.charCodeAt(i)
    if (c === 34 && skipStrings) {
      const end = stringEnd(text, i)
      if (end === -1) skipStrings = false
      else i = end
      continue
    }
    if (!isDigit(c)) continue
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

const isDigit = (c: number) => c >= 0x30 && c <= 0x39

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
