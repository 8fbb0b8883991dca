// JSON text exactly as Go's encoding/json.Marshal writes it for map[string]interface{} values,
// which is what KrakenD sends whenever it re-encodes a response: object keys sorted, `<`, `>`, `&`,
// U+2028 and U+2029 escaped as \u003c \u003e \u0026 \u2028 \u2029, no trailing newline.
// Numbers print like Go's float64 encoder, which for finite values is what JavaScript prints.

const GO_ESCAPES = /[<>&\u2028\u2029]/g
const NEEDS_ESCAPE = /[<>&\u2028\u2029]/
const GO_ESCAPE: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
}
const escapeOne = (c: string) => GO_ESCAPE[c] as string

/**
 * A backend number whose JavaScript value would print differently from its text (1.50, 1e3, -0,
 * integers beyond 2^53). KrakenD decodes with UseNumber and writes such numbers back verbatim.
 */
export class GoNumber {
  readonly literal: string
  constructor(literal: string) {
    this.literal = literal
  }
  toString(): string {
    return this.literal
  }
}

/**
 * Number texts that may not survive JSON.parse + print unchanged: a fraction ending in 0, an
 * exponent, 16+ digits, -0. Strings can match too (then the slower exact parse runs for nothing).
 */
const INEXACT_NUMBER = /\.\d*0(?!\d)|\d[eE]|\d{16}|-0(?![.\d])/

function keepNumberText(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && context?.source !== undefined && context.source !== String(value))
    return new GoNumber(context.source)
  return value
}

/** JSON.parse that keeps number texts as KrakenD does; the exact (reviver) path only when needed. */
export function parseJsonKeepingNumbers(text: string): unknown {
  return INEXACT_NUMBER.test(text)
    ? JSON.parse(text, keepNumberText as (key: string, value: unknown) => unknown)
    : JSON.parse(text)
}

/** Go's Marshal output for a JSON-like value (no trailing newline). */
export function goJson(value: unknown): string {
  const text = encode(value)
  // The escaped characters can only occur inside strings, so one pass over the output is exact.
  return NEEDS_ESCAPE.test(text) ? text.replace(GO_ESCAPES, escapeOne) : text
}

function encode(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      // Go refuses NaN/Inf; JSON.parse never produces them. -0 prints as Go prints it.
      return Number.isFinite(value) ? (Object.is(value, -0) ? '-0' : String(value)) : 'null'
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object': {
      if (value === null) return 'null'
      if (value instanceof GoNumber) return value.literal
      if (Array.isArray(value)) {
        if (value.length === 0) return '[]'
        let out = '['
        for (let i = 0; i < value.length; i += 1) {
          if (i > 0) out += ','
          const item = value[i]
          out += item === undefined ? 'null' : encode(item)
        }
        return `${out}]`
      }
      const obj = value as Record<string, unknown>
      const keys = Object.keys(obj)
      if (!sorted(keys)) keys.sort(compareUtf8)
      let out = '{'
      let first = true
      for (const key of keys) {
        const item = obj[key]
        if (item === undefined) continue
        if (!first) out += ','
        first = false
        out += `${JSON.stringify(key)}:${encode(item)}`
      }
      return `${out}}`
    }
    default:
      return 'null'
  }
}

/** Go sorts map keys by their bytes; for BMP text that is the UTF-16 order JavaScript compares. */
function compareUtf8(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function sorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i += 1) if ((keys[i - 1] as string) > (keys[i] as string)) return false
  return true
}
