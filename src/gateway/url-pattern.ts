// A backend's url_pattern as lura fills it: literal text and parameter slots compiled once, the
// values of earlier responses for sequential slots, and the request target Go's url.Parse and
// URL.String make of the generated path and the forwarded query.

import { bytesOfText } from './byte-text.ts'

/**
 * A parameter as lura's simpleURLKeysPattern takes one (`\{([\w\-\.:/]+)\}`): any other `{...}`
 * (`{q@}`, `{a b}`) stays literal text of the url_pattern, sent as written.
 */
export const URL_PATTERN_PARAM = /\{([\w\-.:/]+)\}/g

export interface SequentialRef {
  /** The earlier backend the value comes from. */
  index: number
  path: string[]
  /**
   * What the backend gets when lura has no value for it: the `{{.Resp0_a.b}}` placeholder lura
   * leaves in the url_pattern (goRequestTarget escapes it in a path, as Go does; a query keeps it).
   */
  placeholder: string
  /** lura replaces only `resp<N>_<path>` with a path of `[\w-.]`; other names stay placeholders. */
  replaced: boolean
  /** The slot is in the url_pattern's query, where Go sends a value as it is. */
  inQuery: boolean
}

export type PatternPart = string | { param: string; sequential?: SequentialRef }

/**
 * The placeholder lura writes in a url_pattern for `{name}` (its first letter title-cased: `{{.P1}}`),
 * left there when the request has no such parameter: an endpoint `/m/{p1}/..` is registered on gin
 * as `/m`, so no call ever has `p1` (goRequestTarget escapes it in a path, as Go does).
 */
export const luraPlaceholder = (name: string): string =>
  `{{.${name.charAt(0).toUpperCase()}${name.slice(1)}}}`

/** A url_pattern part lura fills from an earlier response in the path (not the query). */
export const sequentialInPath = (parts: PatternPart[]): boolean =>
  parts.some((part) => typeof part !== 'string' && part.sequential !== undefined && !part.sequential.inQuery)

/** Splits a url_pattern into literal text and parameter slots, once at startup. */
export function compilePattern(pattern: string): PatternPart[] {
  const parts: PatternPart[] = []
  let last = 0
  for (const match of pattern.matchAll(URL_PATTERN_PARAM)) {
    if (match.index > last) parts.push(pattern.slice(last, match.index))
    const name = match[1] as string
    const seq = /^resp(\d+)_(.+)$/.exec(name)
    const inQuery = pattern.lastIndexOf('?', match.index) !== -1
    parts.push(
      seq
        ? { param: name, sequential: sequentialRef(name, seq[1] as string, seq[2] as string, inQuery) }
        : { param: name },
    )
    last = match.index + match[0].length
  }
  if (last < pattern.length) parts.push(pattern.slice(last))
  return parts
}

function sequentialRef(name: string, index: string, path: string, inQuery: boolean): SequentialRef {
  return {
    index: Number(index),
    path: path.split('.'),
    // lura's config names the parameter with its first letter upper-cased: {{.Resp0_a.b}}.
    placeholder: `{{.R${name.slice(1)}}}`,
    replaced: /^[\w\-.]+$/.test(path),
    inQuery,
  }
}

/**
 * The text a url_pattern slot `{respN_a.b}` becomes, given the value lura found for it (see
 * SequentialValues): in a path with `/ ? # %` percent-encoded (a deliberate deviation: KrakenD
 * inserts it raw, so one of them would change the path), the rest raw as lura inserts it, so a
 * byte Go does not send raw (space, `"`, non-ASCII, ...) makes goRequestTarget re-escape the whole
 * path, as Go does; in the query as it is (as Go sends it); lura's placeholder when it found none.
 */
export function sequentialSlot(text: string | undefined, ref: SequentialRef): string {
  if (text === undefined) return ref.placeholder
  return ref.inQuery ? text : text.replace(PATH_CHANGING, escapeByte)
}

/** What KrakenD's raw insertion of a value would turn into a path separator, query, fragment or escape. */
const PATH_CHANGING = /[/?#%]/g
const escapeByte = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`

/** Bytes Go's url.URL keeps in a path it did not have to re-escape (validEncoded, encodePath). */
const GO_VALID_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@[\]%/]*$/
/** Bytes Go's escape(path, encodePath) leaves alone. */
const GO_PATH_SAFE = /[A-Za-z0-9\-._~$&+,/:;=@]/

/**
 * The request target lura sends for a generated path (the url_pattern with its parameters, its own
 * query included) and the forwarded query: what Go's url.Parse and URL.String make of
 * `host + path`, plus `&query` (or `?query`). A fragment is dropped (it never reaches the wire);
 * a path with a byte Go does not send raw (space, `"`, `<`, `\`, `{`, non-ASCII, ...) is decoded
 * and re-escaped as a whole, as Go's EscapedPath does (a `%2F` then goes out as `/`, unless
 * `keepEncodedSlash`: see reescapePath); the url_pattern's query stays as written.
 * Plain paths pay one regular-expression test.
 */
export function goRequestTarget(generated: string, query: string, keepEncodedSlash = false): string {
  let rest = generated
  const hash = rest.indexOf('#')
  if (hash !== -1) rest = rest.slice(0, hash)
  const q = rest.indexOf('?')
  let path = q === -1 ? rest : rest.slice(0, q)
  // Go writes the url_pattern's query as its bytes: text (config, parameters) goes out as UTF-8.
  const ownQuery = q === -1 ? '' : utf8Bytes(rest.slice(q + 1))
  if (!GO_VALID_PATH.test(path)) path = reescapePath(path, keepEncodedSlash)
  const fullQuery = ownQuery === '' ? query : query === '' ? ownQuery : `${ownQuery}&${query}`
  // A url_pattern ending in `?` keeps it (Go's ForceQuery).
  return fullQuery === '' && q === -1 ? path : `${path}?${fullQuery}`
}

/**
 * Text as its UTF-8 bytes, one character per byte (how undici writes a request target); a
 * parameter's bytes that are not UTF-8 as the client sent them.
 */
const utf8Bytes = bytesOfText

/**
 * Go's escape(unescape(path)), byte for byte: a `%2F` is a `/` once unescaped, as Go sends it. With
 * `keepEncodedSlash` (a path holding sequential values, whose `/` sequentialSlot encodes) it stays
 * `%2F`, so the re-escape does not undo that encoding. A bad `%` escape (Go refuses the URL)
 * keeps the path.
 */
function reescapePath(path: string, keepEncodedSlash: boolean): string {
  const bytes = Buffer.from(bytesOfText(path), 'latin1')
  let out = ''
  for (let i = 0; i < bytes.length; i += 1) {
    let byte = bytes[i] as number
    if (byte === 0x25) {
      const hex = bytes.subarray(i + 1, i + 3).toString('latin1')
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return path
      byte = Number.parseInt(hex, 16)
      i += 2
      if (byte === 0x2f && keepEncodedSlash) {
        out += '%2F'
        continue
      }
    }
    const c = String.fromCharCode(byte)
    out += byte < 0x80 && GO_PATH_SAFE.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}
