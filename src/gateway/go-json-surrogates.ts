// encoding/json turns a \u escape of a lone UTF-16 surrogate (one not followed by the escape of
// its pair) into U+FFFD; JSON.parse keeps the lone surrogate, which goJson would then print back
// as the escape. Strings and keys of a parsed value, made well-formed as Go's decoder leaves them.

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/

/** Whether `text` may hold the escape of a surrogate (\uD800-\uDFFF); false positives are harmless. */
export function mayHoldSurrogateEscape(text: string): boolean {
  // Most bodies hold no \u escape at all, which includes tells 14-30 times faster than the
  // regular expression (whose search runs on every backend body).
  return text.includes('\\u') && SURROGATE_ESCAPE.test(text)
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
const wellFormed = (text: string) => text.replace(LONE_SURROGATE, '\uFFFD')

/** `value` with every string and object key well-formed (lone surrogates as U+FFFD). */
export function wellFormedStrings(value: unknown): unknown {
  if (typeof value === 'string') return wellFormed(value)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) value[i] = wellFormedStrings(value[i])
    return value
  }
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype)
    return value
  const record = value as Record<string, unknown>
  if (Object.keys(record).every((key) => wellFormed(key) === key)) {
    for (const key of Object.keys(record)) record[key] = wellFormedStrings(record[key])
    return record
  }
  // Two keys may now be the same: the later one wins, as in Go's map.
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(record)) {
    const fixed = {
      value: wellFormedStrings(record[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    }
    Object.defineProperty(out, wellFormed(key), fixed)
  }
  return out
}
