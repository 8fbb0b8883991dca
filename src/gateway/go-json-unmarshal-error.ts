// json.Unmarshal's syntax errors (its checkValid pass over the whole input, before any decoding).
import { goQuoteChar, scanFirstValue } from './go-json-scanner.ts'

const SPACE = Buffer.from(' ')

/** The scanner's error, `unexpected end of JSON input`, or the text after the first value, in Go's words. */
export function goUnmarshalSyntaxError(body: Uint8Array): string {
  const first = scanFirstValue(body)
  if (first.error === 'EOF' || first.error === 'unexpected EOF') {
    // The scanner's eof() steps a space first: a number cut short fails on that space.
    const spaced = scanFirstValue(Buffer.concat([body, SPACE])).error
    return spaced !== undefined && spaced !== 'EOF' && spaced !== 'unexpected EOF'
      ? spaced
      : 'unexpected end of JSON input'
  }
  if (first.error !== undefined) return first.error
  let at = first.end
  while (
    at < body.length &&
    (body[at] === 0x20 || body[at] === 0x09 || body[at] === 0x0a || body[at] === 0x0d)
  )
    at += 1
  return `invalid character ${goQuoteChar(body[at] as number)} after top-level value`
}
