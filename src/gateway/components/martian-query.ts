// martian's querystring.Modifier and querystring.Filter on the request target's query, as Go's
// url.ParseQuery and url.Values.Encode handle it: on bytes. Texts here are byte strings (one
// character per byte, as the request target is); a config's name and value are compared and
// written as their UTF-8 bytes (martian-url.ts utf8Bytes), so `%FC` stays `%FC` and a raw `ü` byte
// is no `ü` of the config.
import { encodeQuery, parseQuery } from '../go-url.ts'

/** url.QueryUnescape on bytes: `+` a space, `%XX` its byte; undefined for a malformed escape. */
function unescapeBytes(text: string): string | undefined {
  if (!text.includes('%') && !text.includes('+')) return text
  let out = ''
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string
    if (c === '+') out += ' '
    else if (c !== '%') out += c
    else {
      const code = Number.parseInt(text.slice(i + 1, i + 3), 16)
      if (!/^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) return undefined
      out += String.fromCharCode(code)
      i += 2
    }
  }
  return out
}

/** url.ParseQuery of a target's raw query, on bytes. */
export function queryOf(target: string): Map<string, string[]> {
  const q = target.indexOf('?')
  return parseQuery(q === -1 ? '' : target.slice(q + 1), unescapeBytes)
}

/** url.QueryEscape on bytes: letters, digits and `-_.~` kept, a space `+`, the rest `%XX`. */
const escapeBytes = (text: string): string =>
  text.replace(/[^A-Za-z0-9\-_.~]/g, (c) =>
    c === ' ' ? '+' : `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  )

/** querystring.Modifier: URL.Query(), Set(name, value), RawQuery = Encode() (keys sorted by bytes). */
export function setQuery(target: string, name: string, value: string): string {
  const q = target.indexOf('?')
  const values = queryOf(target)
  values.set(name, [value])
  return `${q === -1 ? target : target.slice(0, q)}?${encodeQuery(values, escapeBytes)}`
}

/** querystring.Filter's matcher: the parameter is there, with `value` among its values if not empty. */
export function queryMatches(target: string, name: string, value: string): boolean {
  const values = queryOf(target).get(name)
  return values !== undefined && (value === '' || values.includes(value))
}
