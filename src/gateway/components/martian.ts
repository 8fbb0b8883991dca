/**
 * `modifier/martian` (backend level): the modifiers in common use, as krakend-martian runs them
 * around each backend call. Request scope: applied to the backend request after KrakenD's own
 * header and query filtering. Response scope: applied to the backend's answer headers right after
 * the call (after Go's transport undid the gzip it asked for), before lura reads the status, a
 * no-op endpoint passes the headers on or return_error_details reports the Content-Type.
 * Supported: `fifo.Group` (a group's scope keeps that side of its modifiers), `header.Modifier`
 * (set), `header.Append`, `header.Copy` (the first value), `header.Blacklist` (remove),
 * `querystring.Modifier` (request only; like Go, the query is re-read with url.ParseQuery and
 * re-encoded with sorted keys), `cookie.Modifier`, `header.Filter` / `querystring.Filter`,
 * `header.RegexFilter`, `body.Modifier`, `url.Modifier` and `url.Filter` (path and query),
 * `status.Modifier`, `priority.Group`, `cookie.Filter`, and on the backend URL's scheme and host
 * (martian-origin.ts, checks in martian-origin-parse.ts) url.Modifier's `scheme`/`host`,
 * url.Filter's, `port.Modifier`, `stash.Modifier` and `url.RegexFilter` (applied by
 * martian-run.ts, martian-body.ts and martian-url.ts).
 *
 * On the answer side, url.Filter, url.RegexFilter and querystring.Filter read the URL of Go's
 * res.Request: the request as sent, or after redirects the last hop's (martian-redirect.ts).
 *
 * Refused (config errors): any other modifier or filter, and every config KrakenD would not apply
 * as written: krakend-martian drops the whole martian config when Go's json.Unmarshal fails on a
 * field of the wrong type or a scope names a side the modifier lacks, and Go matches field names
 * in any case. Also refused: headers whose meaning Go's transport, martian's proxyutil or lura's
 * response parser handles on its own (framing and connection headers, Content-Encoding of an
 * answer; Append or Copy-from on Host), and names or values Go refuses to send.
 */
import type { KeyPath } from '../../core/source-text.ts'
import { cookiePair, type GoCookie, setCookieLine, validCookieName } from '../go-cookie.ts'
import { HTTP_TOKEN } from '../go-http.ts'
import { goParseRfc3339 } from '../go-time.ts'
import { cryptoModule } from '../libraries.ts'
import { compileGoRegExp, GoRegExpError } from './go-regexp.ts'
import type { PortChange } from './martian-origin.ts'
import { checkHost, checkScheme, parsePortChange, stashNameProblem } from './martian-origin-parse.ts'
import { utf8Bytes } from './martian-url.ts'
import { isObject, type Report } from './types.ts'

export type MartianStep =
  | { kind: 'set' | 'append'; name: string; value: string }
  | { kind: 'copy'; from: string; to: string }
  | { kind: 'remove'; names: string[] }
  | { kind: 'query'; name: string; value: string }
  /** cookie.Modifier: the pair added to Cookie (request) and the Set-Cookie line (response). */
  | { kind: 'cookie'; pair: string; setCookie: string }
  /** body.Modifier: the body (base64 in the config) and its Content-Type, in place of the message's. */
  | { kind: 'body'; body: Buffer; contentType: string; boundary: string }
  /**
   * url.Modifier (request): `scheme` as URL.Scheme, `host` as URL.Host, `path` (its bytes) as
   * URL.Path and `query` as RawQuery, each when not empty.
   */
  | { kind: 'url'; scheme: string; host: string; path: string; query: string }
  /** port.Modifier (request): URL.Host's port removed, the scheme's default or the one given. */
  | { kind: 'port'; change: PortChange }
  /** stash.Modifier: the URL's text into header `name` (request), that header of the request (response). */
  | { kind: 'stash'; name: string }
  /** status.Modifier (response): the answer's status code. */
  | { kind: 'status'; status: number }
  /**
   * header.Filter / querystring.Filter / cookie.Filter: the steps when the message matches, else
   * the others; header.RegexFilter (`on: 'regex'`, `value` its Go regexp): the first value of the
   * request's header, when not empty and matching (no else); url.Filter (`on: 'url'`): `name` the
   * URL.Path and `value` the RawQuery of the request, each compared when not empty (bytes), with
   * `scheme` and `host` (martianurl.MatchHost); url.RegexFilter (`on: 'urlRegex'`, `value` its Go
   * regexp): the request URL's text.
   */
  | {
      kind: 'filter'
      on: 'header' | 'query' | 'regex' | 'url' | 'urlRegex' | 'cookie'
      name: string
      value: string
      scheme?: string
      host?: string
      matched: MartianStep[]
      unmatched: MartianStep[]
    }

export interface MartianConfig {
  /** On the backend request (`"scope": ["request"]`). */
  steps: MartianStep[]
  /** On the backend's answer headers, before KrakenD reads them (`"scope": ["response"]`). */
  responseSteps: MartianStep[]
  /** Some step reads or changes the backend URL's scheme and host (its text must be KrakenD's). */
  readsOrigin: boolean
}

type Scoped = { request: MartianStep[]; response: MartianStep[] }

/** The JSON fields each supported modifier's Go struct reads. */
const FIELDS: Record<string, string[]> = {
  'fifo.Group': ['modifiers', 'scope', 'aggregateErrors'],
  'header.Modifier': ['name', 'value', 'scope'],
  'header.Append': ['name', 'value', 'scope'],
  'header.Copy': ['from', 'to', 'scope'],
  'header.Blacklist': ['names', 'scope'],
  'querystring.Modifier': ['name', 'value', 'scope'],
  'cookie.Modifier': ['name', 'value', 'path', 'domain', 'expires', 'secure', 'httpOnly', 'maxAge', 'scope'],
  'header.Filter': ['name', 'value', 'modifier', 'else', 'scope'],
  'querystring.Filter': ['name', 'value', 'modifier', 'else', 'scope'],
  'header.RegexFilter': ['regex', 'header', 'modifier', 'scope'],
  'body.Modifier': ['body', 'contentType', 'scope'],
  'url.Modifier': ['scheme', 'host', 'path', 'query', 'scope'],
  'url.Filter': ['scheme', 'host', 'path', 'query', 'modifier', 'else', 'scope'],
  'status.Modifier': ['statusCode', 'scope'],
  'priority.Group': ['modifiers', 'scope'],
  'cookie.Filter': ['name', 'value', 'modifier', 'else', 'scope'],
  'port.Modifier': ['port', 'defaultForScheme', 'remove', 'scope'],
  'stash.Modifier': ['headerName', 'scope'],
  'url.RegexFilter': ['regex', 'modifier', 'else', 'scope'],
}
const SUPPORTED = Object.keys(FIELDS)
/** Where a field Go's json ignores is refused (a misspelt condition would silently match everything). */
const STRICT = new Set([
  'url.Modifier',
  'url.Filter',
  'status.Modifier',
  'priority.Group',
  'cookie.Filter',
  'port.Modifier',
  'stash.Modifier',
  'url.RegexFilter',
])
/** Modifiers that have no response side (martian's parse.NewResult refuses that scope). */
const REQUEST_ONLY = new Set(['querystring.Modifier', 'url.Modifier', 'port.Modifier'])

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
const fold = (key: string) => key.toLowerCase().replaceAll('ſ', 's')

/** Go's default User-Agent, which its transport writes when the request has none. */

export function parseMartian(raw: unknown, path: KeyPath, report: Report): MartianConfig | undefined {
  let ok = true
  let readsOrigin = false
  const fail = (at: KeyPath, message: string, hint?: string) => {
    ok = false
    report.error(at, message, hint)
  }
  const str = (obj: Record<string, unknown>, key: string, at: KeyPath): string => {
    const v = obj[key]
    if (typeof v !== 'string') {
      fail([...at, key], `"${key}" must be a string`)
      return ''
    }
    return v
  }
  /** A header name this runtime can write as Go would, lower-cased; '' after an error. */
  const writable = (
    obj: Record<string, unknown>,
    key: string,
    at: KeyPath,
    type: string,
    onAnswer: boolean,
  ): string => {
    if (typeof obj[key] !== 'string') return str(obj, key, at)
    const name = obj[key] as string
    const lower = name.toLowerCase()
    if (!HTTP_TOKEN.test(name)) fail([...at, key], `${JSON.stringify(name)} is not a header name Go can send`)
    else if (UNWRITABLE.has(lower) || (onAnswer && lower === 'content-encoding'))
      fail(
        [...at, key],
        `"${type}" cannot write ${name}: Go's transport or lura's response parser handles that header itself`,
        'remove the modifier, or use image.runtime: krakend',
      )
    else if (type === 'header.Append' && lower === 'host')
      fail(
        [...at, key],
        'header.Append on Host fails every request in KrakenD (martian: illegal header multiple)',
      )
    return lower
  }
  const value = (obj: Record<string, unknown>, at: KeyPath): string => {
    const v = str(obj, 'value', at)
    if (!VALUE.test(v))
      fail(
        [...at, 'value'],
        'a header value must be printable ASCII (tabs allowed): Go sends the rest differently',
      )
    return v
  }
  /** Go reads misspelled-case fields too; refuse them rather than read them differently. */
  const checkFields = (body: Record<string, unknown>, type: string, at: KeyPath): boolean => {
    const known = FIELDS[type] as string[]
    for (const key of Object.keys(body)) {
      const field = known.find((f) => fold(f) === fold(key))
      if (field !== undefined && field !== key) {
        fail([...at, key], `write "${field}", not "${key}"`, 'KrakenD reads field names in any case')
        return false
      }
    }
    return true
  }
  const none: Scoped = { request: [], response: [] }
  const walk = (node: unknown, at: KeyPath): Scoped => {
    if (!isObject(node) || Object.keys(node).length !== 1) {
      fail(at, 'a martian modifier is an object with exactly one key, its type (e.g. "header.Modifier")')
      return none
    }
    const [type, body] = Object.entries(node)[0] as [string, unknown]
    const here = [...at, type]
    if (!SUPPORTED.includes(type)) {
      fail(
        here,
        `martian modifier "${type}" is not supported by this runtime`,
        `use ${SUPPORTED.join(', ')}; or set \`image.runtime: krakend\` in gwdeploy.yml to run the official KrakenD image`,
      )
      return none
    }
    if (!isObject(body)) {
      fail(here, `"${type}" must be an object`)
      return none
    }
    if (!checkFields(body, type, here)) return none
    if (STRICT.has(type) && !knownFields(body, FIELDS[type] as string[], here)) return none
    // martian's parse.NewResult: each scope names an interface the modifier has (a group has both);
    // a group without a scope passes on what its modifiers do.
    const scope = body.scope
    let request = true
    let response = true
    const group = type === 'fifo.Group' || type === 'priority.Group'
    if (!group || scope !== undefined) {
      const scopes = Array.isArray(scope) ? scope : []
      if (scopes.length === 0 || scopes.some((s) => s !== 'request' && s !== 'response')) {
        fail([...here, 'scope'], `"${type}": "scope" is a list of "request" and "response"`)
        return none
      }
      request = scopes.includes('request')
      response = scopes.includes('response')
      if (response && REQUEST_ONLY.has(type)) {
        fail(
          [...here, 'scope'],
          `${type} has no response scope: KrakenD fails to parse it and drops the whole martian config`,
          'use "scope": ["request"]',
        )
        return none
      }
      if (response && !request && type === 'stash.Modifier') {
        fail(
          [...here, 'scope'],
          'stash.Modifier on the answer needs the request scope too: KrakenD fails to parse it and drops the whole martian config',
          'use "scope": ["request", "response"]',
        )
        return none
      }
      if (request && type === 'status.Modifier') {
        fail(
          [...here, 'scope'],
          'status.Modifier has no request scope: KrakenD fails to parse it and drops the whole martian config',
          'use "scope": ["response"]',
        )
        return none
      }
    }
    const scoped = (step: MartianStep): Scoped => ({
      request: request ? [step] : [],
      response: response ? [step] : [],
    })
    switch (type) {
      case 'fifo.Group': {
        const aggregate = body.aggregateErrors
        if (aggregate !== undefined && aggregate !== null && typeof aggregate !== 'boolean')
          fail([...here, 'aggregateErrors'], '"aggregateErrors" must be true or false')
        if (!Array.isArray(body.modifiers)) {
          fail([...here, 'modifiers'], '"modifiers" must be a list')
          return none
        }
        const children = body.modifiers.map((m, i) => walk(m, [...here, 'modifiers', i]))
        return {
          request: request ? children.flatMap((c) => c.request) : [],
          response: response ? children.flatMap((c) => c.response) : [],
        }
      }
      case 'header.Modifier':
      case 'header.Append':
        return scoped({
          kind: type === 'header.Modifier' ? 'set' : 'append',
          name: writable(body, 'name', here, type, response),
          value: value(body, here),
        })
      case 'header.Copy': {
        const from = str(body, 'from', here)
        if (UNREADABLE.has(from.toLowerCase()))
          fail(
            [...here, 'from'],
            `header.Copy cannot read ${from}: Go reads it from the request line, not the headers`,
            'remove the modifier, or use image.runtime: krakend',
          )
        return scoped({
          kind: 'copy',
          from: from.toLowerCase(),
          to: writable(body, 'to', here, type, response),
        })
      }
      case 'header.Blacklist': {
        const names = body.names
        if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
          fail([...here, 'names'], '"names" must be a list of header names')
          return none
        }
        const lower = (names as string[]).map((n) => n.toLowerCase())
        const framing = lower.findIndex(
          (n) =>
            n === 'content-length' || n === 'transfer-encoding' || (response && n === 'content-encoding'),
        )
        if (framing !== -1)
          fail(
            [...here, 'names', framing],
            `header.Blacklist cannot remove ${names[framing]}: in Go it changes how the message is framed or decoded`,
            'remove the name, or use image.runtime: krakend',
          )
        return scoped({ kind: 'remove', names: lower })
      }
      case 'querystring.Modifier':
        return scoped({ kind: 'query', name: str(body, 'name', here), value: str(body, 'value', here) })
      case 'body.Modifier': {
        // Go's json.Unmarshal into []byte: standard base64 with its padding (or null, no body).
        const encoded = body.body === undefined || body.body === null ? '' : str(body, 'body', here)
        if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(encoded)) {
          fail([...here, 'body'], '"body" must be base64 (standard alphabet, with its padding)')
          return none
        }
        const contentType =
          body.contentType === undefined || body.contentType === null ? '' : str(body, 'contentType', here)
        return scoped({
          kind: 'body',
          body: Buffer.from(encoded, 'base64'),
          contentType,
          // martian picks a random multipart boundary when it parses the modifier.
          boundary: cryptoModule().randomBytes(30).toString('hex'),
        })
      }
      case 'cookie.Modifier': {
        const cookie = parseCookie(body, here)
        return cookie
          ? scoped({ kind: 'cookie', pair: cookiePair(cookie), setCookie: setCookieLine(cookie) })
          : none
      }
      case 'url.Modifier': {
        const scheme = optional(body, 'scheme', here)
        checkScheme(scheme, [...here, 'scheme'], fail)
        const host = optional(body, 'host', here)
        checkHost(host, [...here, 'host'], fail)
        if (scheme !== '' || host !== '') readsOrigin = true
        const path = optional(body, 'path', here)
        if (path !== '' && !path.startsWith('/'))
          fail(
            [...here, 'path'],
            `"path" must start with "/": Go would write ${JSON.stringify(path)} as the request target`,
          )
        const query = optional(body, 'query', here)
        // biome-ignore lint/suspicious/noControlCharactersInRegex: Go's stringContainsCTLByte
        if (/[\x00-\x20\x7f]/.test(query))
          fail(
            [...here, 'query'],
            '"query" is written into the request line as it is: write spaces and control characters percent-encoded',
          )
        return scoped({ kind: 'url', scheme, host, path: utf8Bytes(path), query: utf8Bytes(query) })
      }
      case 'port.Modifier': {
        const change = parsePortChange(body, here, fail)
        readsOrigin = true
        return change === undefined ? none : scoped({ kind: 'port', change })
      }
      case 'stash.Modifier': {
        const name = writable(body, 'headerName', here, type, response)
        const problem = stashNameProblem(name, response)
        if (problem) fail([...here, 'headerName'], problem, 'use another header name')
        readsOrigin = true
        return scoped({ kind: 'stash', name })
      }
      case 'status.Modifier': {
        const status = body.statusCode ?? 0
        if (!Number.isInteger(status) || (status as number) < 200 || (status as number) > 599)
          fail(
            [...here, 'statusCode'],
            '"statusCode" must be a whole number from 200 to 599',
            'KrakenD drops the config for a value that is not a whole number, and Go answers others oddly or not at all',
          )
        return scoped({ kind: 'status', status: status as number })
      }
      case 'priority.Group': {
        if (!Array.isArray(body.modifiers)) {
          fail([...here, 'modifiers'], '"modifiers" must be a list')
          return none
        }
        // AddRequestModifier / AddResponseModifier: before the first one of a lower or equal
        // priority, so the higher runs first and, among equals, the later one.
        const ordered: Array<{ priority: number; scoped: Scoped }> = []
        for (const [i, item] of body.modifiers.entries()) {
          const at = [...here, 'modifiers', i]
          if (!isObject(item)) {
            fail(at, 'each priority.Group entry is an object with "priority" and "modifier"')
            continue
          }
          if (!knownFields(item, ['priority', 'modifier'], at)) continue
          const priority = item.priority ?? 0
          if (!Number.isSafeInteger(priority)) {
            fail([...at, 'priority'], '"priority" must be a whole number')
            continue
          }
          const child = walk(item.modifier, [...at, 'modifier'])
          const entry = { priority: priority as number, scoped: child }
          const before = ordered.findIndex((o) => entry.priority >= o.priority)
          if (before === -1) ordered.push(entry)
          else ordered.splice(before, 0, entry)
        }
        return {
          request: request ? ordered.flatMap((o) => o.scoped.request) : [],
          response: response ? ordered.flatMap((o) => o.scoped.response) : [],
        }
      }
      case 'header.Filter':
      case 'querystring.Filter':
      case 'header.RegexFilter':
      case 'url.Filter':
      case 'url.RegexFilter':
      case 'cookie.Filter': {
        const on = (
          {
            'header.Filter': 'header',
            'querystring.Filter': 'query',
            'header.RegexFilter': 'regex',
            'url.Filter': 'url',
            'url.RegexFilter': 'urlRegex',
            'cookie.Filter': 'cookie',
          } as const
        )[type]
        const scheme = on === 'url' ? optional(body, 'scheme', here) : ''
        const host = on === 'url' ? optional(body, 'host', here) : ''
        if (scheme !== '' || host !== '' || on === 'urlRegex') readsOrigin = true
        const name =
          on === 'url'
            ? utf8Bytes(optional(body, 'path', here))
            : on === 'cookie'
              ? optional(body, 'name', here)
              : on === 'urlRegex'
                ? ''
                : str(body, on === 'regex' ? 'header' : 'name', here)
        if (on === 'header' && UNREADABLE.has(name.toLowerCase()))
          fail(
            [...here, 'name'],
            `header.Filter cannot read ${name}: Go reads it from the request line, not the headers`,
            'remove the filter, or use image.runtime: krakend',
          )
        const matchValue =
          on === 'regex' || on === 'urlRegex'
            ? goRegexp(body, here)
            : on === 'url'
              ? utf8Bytes(optional(body, 'query', here))
              : on === 'cookie'
                ? optional(body, 'value', here)
                : body.value === undefined
                  ? ''
                  : str(body, 'value', here)
        if (body.modifier === undefined) {
          fail(
            [...here, 'modifier'],
            `"${type}" needs a "modifier": KrakenD drops the whole martian config without one`,
          )
          return none
        }
        const then = walk(body.modifier, [...here, 'modifier'])
        const otherwise = body.else === undefined ? none : walk(body.else, [...here, 'else'])
        const filter = (side: 'request' | 'response'): MartianStep[] => {
          const when = then[side]
          const unless = otherwise[side]
          return when.length === 0 && unless.length === 0
            ? []
            : [
                {
                  kind: 'filter',
                  on,
                  name: on === 'header' || on === 'regex' ? name.toLowerCase() : name,
                  value: matchValue,
                  ...(on === 'url' ? { scheme, host } : {}),
                  matched: when,
                  unmatched: unless,
                },
              ]
        }
        return { request: request ? filter('request') : [], response: response ? filter('response') : [] }
      }
    }
    return none
  }
  /** A string field Go may leave empty (absent or null). */
  const optional = (obj: Record<string, unknown>, key: string, at: KeyPath): string =>
    obj[key] === undefined || obj[key] === null ? '' : str(obj, key, at)
  /** Fields Go's json ignores, refused: a misspelt one would silently change what happens. */
  const knownFields = (obj: Record<string, unknown>, known: string[], at: KeyPath): boolean => {
    for (const key of Object.keys(obj)) {
      const field = known.find((f) => fold(f) === fold(key))
      if (field === key) continue
      if (field === undefined)
        fail([...at, key], `unknown field "${key}"`, `the fields are ${known.join(', ')}`)
      else fail([...at, key], `write "${field}", not "${key}"`, 'KrakenD reads field names in any case')
      return false
    }
    return true
  }
  /** header.RegexFilter's `regex`, compiled as Go's regexp (KrakenD drops the config when it fails). */
  const goRegexp = (body: Record<string, unknown>, at: KeyPath): string => {
    const source = str(body, 'regex', at)
    try {
      compileGoRegExp(source)
    } catch (error) {
      if (!(error instanceof GoRegExpError)) throw error
      fail(
        [...at, 'regex'],
        error.goAccepts
          ? `${error.message}: this runtime would match it differently than Go`
          : `not a Go regular expression (${error.message}): KrakenD drops the whole martian config`,
      )
    }
    return source
  }
  /** cookie.Modifier's fields as Go's json.Unmarshal reads them into an http.Cookie. */
  const parseCookie = (body: Record<string, unknown>, at: KeyPath): GoCookie | undefined => {
    const text = (key: string) => (body[key] === undefined || body[key] === null ? '' : str(body, key, at))
    const flag = (key: string) => {
      const v = body[key]
      if (v === undefined || v === null) return false
      if (typeof v !== 'boolean') fail([...at, key], `"${key}" must be true or false`)
      return v === true
    }
    const name = text('name')
    if (!validCookieName(name))
      fail([...at, 'name'], `${JSON.stringify(name)} is not a cookie name Go writes (a non-empty token)`)
    const maxAge = body.maxAge ?? 0
    if (!Number.isSafeInteger(maxAge)) fail([...at, 'maxAge'], '"maxAge" must be a whole number of seconds')
    let expiresMs: number | undefined
    if (body.expires !== undefined && body.expires !== null) {
      const parsed = typeof body.expires === 'string' ? goParseRfc3339(body.expires) : 'not a string'
      if (typeof parsed === 'string')
        fail([...at, 'expires'], '"expires" must be an RFC 3339 time (e.g. "2030-01-02T15:04:05Z")')
      else expiresMs = parsed.ms
    }
    const cookie: GoCookie = {
      name,
      value: text('value'),
      path: text('path'),
      domain: text('domain'),
      expiresMs,
      secure: flag('secure'),
      httpOnly: flag('httpOnly'),
      maxAge: maxAge as number,
    }
    return ok ? cookie : undefined
  }
  const { request, response } = walk(raw, path)
  return ok ? { steps: request, responseSteps: response, readsOrigin } : undefined
}
