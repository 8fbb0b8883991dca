// A function's answer as krakend-lambda reads it: json.Unmarshal of the payload into a
// map[string]interface{} (numbers as float64, marked GoFloat64; the whole payload one JSON value,
// null a nil map).

import { GoFloat64 } from '../go-float.ts'
import { firstValueText, GO_MAP, goQuoteChar, goUnmarshalTypeError } from '../go-json-decoder.ts'
import { mayHoldSurrogateEscape, wellFormedStrings } from '../go-json-surrogates.ts'
import { goNilMap } from '../go-json-values.ts'
import { goUtf8 } from '../go-utf8.ts'
import type { Data } from '../transform.ts'

export class LambdaAnswerError extends Error {}

export function lambdaAnswerData(payload: Uint8Array): Data {
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
  let text = bytes.toString('utf8')
  if (text.includes('\uFFFD')) text = goUtf8(bytes)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new LambdaAnswerError(unmarshalSyntaxError(bytes, text))
  }
  if (mayHoldSurrogateEscape(text)) value = wellFormedStrings(value)
  if (value === null) return goNilMap()
  if (typeof value !== 'object' || Array.isArray(value))
    throw new LambdaAnswerError(goUnmarshalTypeError(value, GO_MAP))
  if (!markFloats(value)) throw new LambdaAnswerError(overflowError(text))
  return value as Data
}

/**
 * Every number in `root` (JSON.parse's tree, changed in place) as a GoFloat64, without recursion
 * (an answer may nest deeper than the call stack). false when one is beyond float64 (JSON.parse's
 * ±Infinity), where Go's decoder fails.
 */
function markFloats(root: object): boolean {
  const stack: object[] = [root]
  for (let container = stack.pop(); container !== undefined; container = stack.pop()) {
    const record = container as Record<string, unknown>
    for (const key of Object.keys(record)) {
      const value = record[key]
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) return false
        record[key] = new GoFloat64(value)
      } else if (typeof value === 'object' && value !== null) stack.push(value)
    }
  }
  return true
}

/** convertNumber's UnmarshalTypeError for the first number of `text` beyond float64. */
function overflowError(text: string): string {
  for (const match of text.matchAll(JSON_TOKEN)) {
    const number = match[1]
    if (number !== undefined && !Number.isFinite(Number(number)))
      return `json: cannot unmarshal number ${number} into Go value of type float64`
  }
  return 'json: cannot unmarshal number into Go value of type float64'
}

/** A JSON string (skipped) or a number (captured). */
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g

/** encoding/json's checkValid error: the first value's, else what follows it. */
function unmarshalSyntaxError(bytes: Buffer, text: string): string {
  if (text.trim().length === 0) return 'unexpected end of JSON input'
  const first = firstValueText(bytes)
  if (first.error !== undefined)
    return first.error === 'EOF' || first.error === 'unexpected EOF'
      ? 'unexpected end of JSON input'
      : first.error
  const rest = text.slice(first.text.length).trimStart()
  const next = rest.codePointAt(0)
  return next === undefined
    ? 'unexpected end of JSON input'
    : `invalid character ${goQuoteChar(next)} after top-level value`
}
