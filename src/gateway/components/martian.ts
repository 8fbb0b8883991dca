/**
 * `modifier/martian` (backend level): the modifiers in common use, as krakend-martian runs them
 * around each backend call. Request scope: applied to the backend request after KrakenD's own
 * header and query filtering. Response scope: applied to the backend's answer headers right after
 * the call (after Go's transport undid the gzip it asked for), before lura reads the status, a
 * no-op endpoint passes the headers on or return_error_details reports the Content-Type.
 * Supported: `fifo.Group` (a group's scope keeps that side of its modifiers), `header.Modifier`
 * (set), `header.Append`, `header.Copy` (the first value), `header.Blacklist` (remove) and
 * `querystring.Modifier` (request only; like Go, the query is re-read with url.ParseQuery and
 * re-encoded with sorted keys).
 *
 * Refused (config errors): any other modifier or filter, and every config KrakenD would not apply
 * as written: krakend-martian drops the whole martian config when Go's json.Unmarshal fails on a
 * field of the wrong type or a scope names a side the modifier lacks, and Go matches field names
 * in any case. Also refused: headers whose meaning Go's transport, martian's proxyutil or lura's
 * response parser handles on its own (framing and connection headers, Content-Encoding of an
 * answer; Append or Copy-from on Host), and names or values Go refuses to send.
 */
import type { KeyPath } from '../../core/source-text.ts'
import { GO_USER_AGENT } from '../go-http.ts'
import { encodeGoQuery, parseGoQuery } from '../go-url.ts'
import type { HeaderValues } from '../request-headers.ts'
import { isObject, type Report } from './types.ts'

export type MartianStep =
  | { kind: 'set' | 'append'; name: string; value: string }
  | { kind: 'copy'; from: string; to: string }
  | { kind: 'remove'; names: string[] }
  | { kind: 'query'; name: string; value: string }

export interface MartianConfig {
  /** On the backend request (`"scope": ["request"]`). */
  steps: MartianStep[]
  /** On the backend's answer headers, before KrakenD reads them (`"scope": ["response"]`). */
  responseSteps: MartianStep[]
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
}
const SUPPORTED = Object.keys(FIELDS)

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

/** What net/http's transport accepts as a header name (httpguts.ValidHeaderFieldName). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
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
    if (!TOKEN.test(name)) fail([...at, key], `${JSON.stringify(name)} is not a header name Go can send`)
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
    // martian's parse.NewResult: each scope names an interface the modifier has (a group has both);
    // a group without a scope passes on what its modifiers do.
    const scope = body.scope
    let request = true
    let response = true
    if (type !== 'fifo.Group' || scope !== undefined) {
      const scopes = Array.isArray(scope) ? scope : []
      if (scopes.length === 0 || scopes.some((s) => s !== 'request' && s !== 'response')) {
        fail([...here, 'scope'], `"${type}": "scope" is a list of "request" and "response"`)
        return none
      }
      request = scopes.includes('request')
      response = scopes.includes('response')
      if (response && type === 'querystring.Modifier') {
        fail(
          [...here, 'scope'],
          'querystring.Modifier has no response scope: KrakenD fails to parse it and drops the whole martian config',
          'use "scope": ["request"]',
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
    }
    return none
  }
  const { request, response } = walk(raw, path)
  return ok ? { steps: request, responseSteps: response } : undefined
}

const firstValue = (value: string | string[] | undefined): string =>
  (Array.isArray(value) ? value[0] : value) ?? ''

/** querystring.Modifier: req.URL.Query(), Set, Encode. */
function setQuery(path: string, name: string, value: string): string {
  const q = path.indexOf('?')
  const query = parseGoQuery(q === -1 ? '' : path.slice(q + 1))
  query.set(name, [value])
  return `${q === -1 ? path : path.slice(0, q)}?${encodeGoQuery(query)}`
}

/**
 * Go's transport writes one User-Agent line, Header.Get's: its default when there is none, none
 * when the first value is empty.
 */
function userAgentAsGoWrites(headers: HeaderValues): void {
  const current = headers['user-agent']
  if (current === undefined) headers['user-agent'] = GO_USER_AGENT
  else if (Array.isArray(current)) {
    const first = current[0] ?? ''
    if (first === '') delete headers['user-agent']
    else headers['user-agent'] = first
  } else if (current === '') delete headers['user-agent']
}

type Headers = Record<string, string | string[] | undefined>

/** One header step as martian's modifiers apply it to a request's or a response's header map. */
function applyHeaderStep(headers: Headers, step: Exclude<MartianStep, { kind: 'query' }>): void {
  switch (step.kind) {
    case 'set':
      headers[step.name] = step.value
      break
    case 'append': {
      const current = headers[step.name]
      headers[step.name] =
        current === undefined
          ? step.value
          : Array.isArray(current)
            ? [...current, step.value]
            : [current, step.value]
      break
    }
    case 'copy':
      // martian's Header.Get: the first value, '' when absent (the copy is then empty).
      headers[step.to] = firstValue(headers[step.from])
      break
    case 'remove':
      for (const name of step.names) delete headers[name]
      break
  }
}

export function compileMartian(
  cfg: MartianConfig,
): (headers: HeaderValues, path: string) => { headers: HeaderValues; path: string } {
  return (input, path) => {
    const headers = { ...input }
    for (const step of cfg.steps) {
      if (step.kind === 'query') path = setQuery(path, step.name, step.value)
      else applyHeaderStep(headers, step)
    }
    userAgentAsGoWrites(headers)
    return { headers, path }
  }
}

/**
 * The response-scope modifiers on a copy of a backend's answer headers (martian's ModifyResponse,
 * right after the call: lura's status check, no-op pass-through and error details see the result).
 */
export function compileMartianAnswer(cfg: MartianConfig): (<T extends Headers>(headers: T) => T) | undefined {
  if (cfg.responseSteps.length === 0) return undefined
  return (input) => {
    const headers = { ...input }
    for (const step of cfg.responseSteps) if (step.kind !== 'query') applyHeaderStep(headers, step)
    return headers
  }
}
