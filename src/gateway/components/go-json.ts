/** JSON as Go's encoding/json writes a decoded value: object keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped. */
export function goJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return goEscape(JSON.stringify(value) ?? 'null')
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`
  const keys = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
  return `{${keys.map((k) => `${goEscape(JSON.stringify(k))}:${goJson((value as Record<string, unknown>)[k])}`).join(',')}}`
}

const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
}

function goEscape(json: string): string {
  return /[<>&\u2028\u2029]/.test(json)
    ? json.replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] as string)
    : json
}
