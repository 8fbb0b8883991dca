// Go's strconv.ParseInt(s, 10, 64): an optional sign, decimal digits, within int64.

const MIN_INT64 = -(2n ** 63n)
const MAX_INT64 = 2n ** 63n - 1n

/** The value, or undefined where Go returns an error (invalid syntax or out of range). */
export function goParseInt(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined
  const value = BigInt(text)
  return value < MIN_INT64 || value > MAX_INT64 ? undefined : value
}

/** Why goParseInt refused `text`: Go's error kind. */
export const goParseIntError = (text: string): 'invalid syntax' | 'value out of range' =>
  /^[+-]?[0-9]+$/.test(text) ? 'value out of range' : 'invalid syntax'
