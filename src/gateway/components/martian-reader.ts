// The reading context of a `modifier/martian` config (martian.ts): it reports each problem,
// remembers whether any was found and whether a step reads the backend URL's scheme and host, and
// reads the fields the modifiers share (strings, header names and values, Go regexps) as Go's
// json.Unmarshal and net/http would take them.

import { closestKey } from '../../config/suggest.ts'
import type { KeyPath } from '../../core/source-text.ts'
import { isCredentialName } from '../config/url-credentials.ts'
import { HTTP_TOKEN } from '../go-http.ts'
import { compileGoRegExp, GoRegExpError } from './go-regexp.ts'
import type { Report } from './types.ts'

/**
 * Headers a modifier may not write: Go's transport writes Content-Length, Transfer-Encoding and
 * Trailer itself (martian's proxyutil maps the first two onto the request's framing) and sends
 * the connection headers as given, which this runtime's client cannot do.
 */
const UNWRITABLE = new Set([
  'content-length',
  'transfer-encoding',
  'trailer',
  'connection',
  'keep-alive',
  'upgrade',
  'expect',
])
/** Headers Go's Header.Get reads from the request itself, not from its header map. */
const UNREADABLE = new Set(['host', 'content-length', 'transfer-encoding'])

/**
 * Values Go and this runtime's client send alike: Go refuses control characters but tab
 * (httpguts.ValidHeaderFieldValue) and writes UTF-8, undici writes Latin-1 or refuses.
 */
const VALUE = /^[\t\x20-\x7e]*$/

/** Go's json key matching (bytes.EqualFold): case-insensitive, with ſ as s and the Kelvin sign as k. */
export const fold = (key: string) => key.toLowerCase().replaceAll('ſ', 's')

export class MartianReader {
  /** No problem reported yet. */
  ok = true
  /** Some step reads or changes the backend URL's scheme and host. */
  readsOrigin = false
  readonly #report: Report

  constructor(report: Report) {
    this.#report = report
  }

  /** Reports a problem (bound: the checks in martian-origin-parse.ts take it as a callback). */
  readonly fail = (at: KeyPath, message: string, hint?: string): void => {
    this.ok = false
    this.#report.error(at, message, hint)
  }

  /** Reports a warning: KrakenD runs the config as written, and so does this runtime. */
  warn(at: KeyPath, message: string, hint?: string): void {
    this.#report.warn(at, message, hint)
  }

  /**
   * Warns about a credential written into the config (`Authorization`, `Cookie`, `X-Api-Key`, ...
   * set by `type`), as auth/client-credentials warns about a literal client_secret.
   */
  credential(body: Record<string, unknown>, at: KeyPath, type: string): void {
    const { name, value } = body
    if (typeof name !== 'string' || !isCredentialName(name) || typeof value !== 'string' || value === '')
      return
    this.#report.warn(
      [...at, 'value'],
      `${type} writes a literal ${JSON.stringify(name)} value: a credential in the gateway config is stamped into the release and baked into the image`,
      'keep the config repository and the image registry private, and rotate the credential if either leaks (release --dry-run shows it as [redacted])',
    )
  }

  str(obj: Record<string, unknown>, key: string, at: KeyPath): string {
    const v = obj[key]
    if (typeof v !== 'string') {
      this.fail([...at, key], `"${key}" must be a string`)
      return ''
    }
    return v
  }

  /** A string field Go may leave empty (absent or null). */
  optional(obj: Record<string, unknown>, key: string, at: KeyPath): string {
    return obj[key] === undefined || obj[key] === null ? '' : this.str(obj, key, at)
  }

  /** A header name this runtime can write as Go would, lower-cased; '' after an error. */
  writable(obj: Record<string, unknown>, key: string, at: KeyPath, type: string, onAnswer: boolean): string {
    if (typeof obj[key] !== 'string') return this.str(obj, key, at)
    const name = obj[key] as string
    const lower = name.toLowerCase()
    if (!HTTP_TOKEN.test(name))
      this.fail([...at, key], `${JSON.stringify(name)} is not a header name Go can send`)
    else if (UNWRITABLE.has(lower) || (onAnswer && lower === 'content-encoding'))
      this.fail(
        [...at, key],
        `"${type}" cannot write ${name}: Go's transport or lura's response parser handles that header itself`,
        'remove the modifier, or use image.runtime: krakend',
      )
    else if (type === 'header.Append' && lower === 'host')
      this.fail(
        [...at, key],
        'header.Append on Host fails every request in KrakenD (martian: illegal header multiple)',
      )
    return lower
  }

  /** A header name `type` reads (header.Copy's from, header.Filter's name), refused if Go reads it elsewhere. */
  readable(name: string, at: KeyPath, type: string, hint: string): void {
    if (UNREADABLE.has(name.toLowerCase()))
      this.fail(at, `${type} cannot read ${name}: Go reads it from the request line, not the headers`, hint)
  }

  /** A header's `value`. */
  value(obj: Record<string, unknown>, at: KeyPath): string {
    const v = this.str(obj, 'value', at)
    if (!VALUE.test(v))
      this.fail(
        [...at, 'value'],
        'a header value must be printable ASCII (tabs allowed): Go sends the rest differently',
      )
    return v
  }

  /**
   * The body with each field name in another case renamed to the field Go's json.Unmarshal fills
   * with it (it matches names case-insensitively), each renaming warned about; undefined after an
   * error (two names of one field: Go keeps the later, refused as likely a mistake).
   */
  canonical(
    body: Record<string, unknown>,
    known: string[],
    at: KeyPath,
  ): Record<string, unknown> | undefined {
    if (Object.keys(body).every((key) => !known.some((f) => f !== key && fold(f) === fold(key)))) return body
    const out: Record<string, unknown> = {}
    const writtenAs = new Map<string, string>()
    for (const [key, value] of Object.entries(body)) {
      const field = known.find((f) => f === key) ?? known.find((f) => fold(f) === fold(key)) ?? key
      const before = writtenAs.get(field)
      if (before !== undefined) {
        this.fail([...at, key], `"${key}" and "${before}" both set "${field}"`, `write "${field}" once`)
        return undefined
      }
      writtenAs.set(field, key)
      if (field !== key)
        this.#report.warn(
          [...at, key],
          `"${key}" is read as "${field}", as KrakenD reads it`,
          `write "${field}"`,
        )
      out[field] = value
    }
    return out
  }

  /** Fields Go's json ignores, refused: a misspelt one would silently change what happens. */
  knownFields(obj: Record<string, unknown>, known: string[], at: KeyPath): boolean {
    for (const key of Object.keys(obj)) {
      const field = known.find((f) => fold(f) === fold(key))
      if (field === key) continue
      if (field === undefined) {
        this.fail([...at, key], `unknown field "${key}"`, `the fields are ${known.join(', ')}`)
        return false
      }
    }
    return true
  }

  /**
   * Fields Go's json ignores where the modifier still runs without them: a likely typo of a field
   * the modifier lacks is refused (a filter's "vaule" would match any value), other unknown fields
   * are warned about. Fields in another case were renamed first (canonical).
   */
  unknownFields(obj: Record<string, unknown>, known: string[], at: KeyPath, type: string): void {
    for (const key of Object.keys(obj)) {
      if (known.some((f) => fold(f) === fold(key)) || /^[@$_#]/.test(key)) continue
      const meant = closestKey(key, known)
      if (meant !== undefined && !Object.hasOwn(obj, meant))
        this.fail(
          [...at, key],
          `unknown field "${key}" of ${type}: KrakenD ignores it, so "${meant}" is not set`,
          `did you mean "${meant}"?`,
        )
      else
        this.#report.warn(
          [...at, key],
          `unknown field "${key}" of ${type} is ignored (by KrakenD too)`,
          meant !== undefined ? `did you mean "${meant}"?` : `the fields are ${known.join(', ')}`,
        )
    }
  }

  /** A filter's `regex`, compiled as Go's regexp (KrakenD drops the config when it fails). */
  goRegexp(body: Record<string, unknown>, at: KeyPath): string {
    const source = this.str(body, 'regex', at)
    try {
      compileGoRegExp(source)
    } catch (error) {
      if (!(error instanceof GoRegExpError)) throw error
      this.fail(
        [...at, 'regex'],
        error.goAccepts
          ? `${error.message}: this runtime would match it differently than Go`
          : `not a Go regular expression (${error.message}): KrakenD drops the whole martian config`,
      )
    }
    return source
  }
}
