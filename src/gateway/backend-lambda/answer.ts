// A function's answer as krakend-lambda reads it: json.Unmarshal of the payload into a
// map[string]interface{} (numbers as float64, the whole payload one JSON value, null a nil map).
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
  return value as Data
}

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
