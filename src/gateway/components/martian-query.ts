// martian's querystring.Modifier and querystring.Filter on the request target's query, as Go's
// url.ParseQuery and url.Values.Encode handle it: on bytes. Texts here are byte strings (one
// character per byte, as the request target is); a config's name and value are compared and
// written as their UTF-8 bytes (martian-url.ts utf8Bytes), so `%FC` stays `%FC` and a raw `ü` byte
// is no `ü` of the config.
import { encodeQuery, escapeQueryBytes, parseQuery, unescapeQueryBytes } from '../go-url.ts'

/** url.ParseQuery of a target's raw query, on bytes. */
export function queryOf(target: string): Map<string, string[]> {
  const q = target.indexOf('?')
  return parseQuery(q === -1 ? '' : target.slice(q + 1), unescapeQueryBytes)
}

/** querystring.Modifier: URL.Query(), Set(name, value), RawQuery = Encode() (keys sorted by bytes). */
export function setQuery(target: string, name: string, value: string): string {
  const q = target.indexOf('?')
  const values = queryOf(target)
  values.set(name, [value])
  return `${q === -1 ? target : target.slice(0, q)}?${encodeQuery(values, escapeQueryBytes)}`
}

/** querystring.Filter's matcher: the parameter is there, with `value` among its values if not empty. */
export function queryMatches(target: string, name: string, value: string): boolean {
  const values = queryOf(target).get(name)
  return values !== undefined && (value === '' || values.includes(value))
}
