/**
 * `modifier/martian` (backend level): the request modifiers in common use, applied to each backend
 * request after KrakenD's own header and query filtering, as martian does. Supported: `fifo.Group`,
 * `header.Modifier` (set), `header.Append`, `header.Copy` (the first value), `header.Blacklist`
 * (remove) and `querystring.Modifier` (set; like Go, the query is re-read with url.ParseQuery and
 * re-encoded with sorted keys), all with `"scope": ["request"]`.
 *
 * Refused (config errors): any other modifier or filter, the response scope, and every config
 * KrakenD would not apply as written: krakend-martian drops the whole martian config when Go's
 * json.Unmarshal fails on a field of the wrong type, and Go matches field names in any case. Also
 * refused: headers whose meaning Go's transport or martian's proxyutil handles on its own (framing
 * and connection headers; Append or Copy-from on Host), and names or values Go refuses to send.
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
  steps: MartianStep[]
}

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
  const steps: MartianStep[] = []
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
  const writable = (obj: Record<string, unknown>, key: string, at: KeyPath, type: string): string => {
    if (typeof obj[key] !== 'string') return str(obj, key, at)
    const name = obj[key] as string
    const lower = name.toLowerCase()
    if (!TOKEN.test(name)) fail([...at, key], `${JSON.stringify(name)} is not a header name Go can send`)
    else if (UNWRITABLE.has(lower))
      fail(
        [...at, key],
        `"${type}" cannot write ${name}: Go's transport handles that header itself`,
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
  const walk = (node: unknown, at: KeyPath) => {
    if (!isObject(node) || Object.keys(node).length !== 1) {
      fail(at, 'a martian modifier is an object with exactly one key, its type (e.g. "header.Modifier")')
      return
    }
    const [type, body] = Object.entries(node)[0] as [string, unknown]
    const here = [...at, type]
    if (!SUPPORTED.includes(type)) {
      fail(
        here,
        `martian modifier "${type}" is not supported by this runtime`,
        `use ${SUPPORTED.join(', ')}; or set \`image.runtime: krakend\` in gwdeploy.yml to run the official KrakenD image`,
      )
      return
    }
    if (!isObject(body)) {
      fail(here, `"${type}" must be an object`)
      return
    }
    if (!checkFields(body, type, here)) return
    const scope = body.scope
    if (type !== 'fifo.Group' || scope !== undefined) {
      if (!Array.isArray(scope) || scope.length === 0 || scope.some((s) => s !== 'request')) {
        fail(
          [...here, 'scope'],
          `"${type}": only "scope": ["request"] is supported by this runtime`,
          'response modifiers would not be applied; remove them or use image.runtime: krakend',
        )
        return
      }
    }
    switch (type) {
      case 'fifo.Group': {
        const aggregate = body.aggregateErrors
        if (aggregate !== undefined && aggregate !== null && typeof aggregate !== 'boolean')
          fail([...here, 'aggregateErrors'], '"aggregateErrors" must be true or false')
        if (!Array.isArray(body.modifiers)) fail([...here, 'modifiers'], '"modifiers" must be a list')
        else for (const [i, m] of body.modifiers.entries()) walk(m, [...here, 'modifiers', i])
        return
      }
      case 'header.Modifier':
      case 'header.Append':
        steps.push({
          kind: type === 'header.Modifier' ? 'set' : 'append',
          name: writable(body, 'name', here, type),
          value: value(body, here),
        })
        return
      case 'header.Copy': {
        const from = str(body, 'from', here)
        if (UNREADABLE.has(from.toLowerCase()))
          fail(
            [...here, 'from'],
            `header.Copy cannot read ${from}: Go reads it from the request line, not the headers`,
            'remove the modifier, or use image.runtime: krakend',
          )
        steps.push({ kind: 'copy', from: from.toLowerCase(), to: writable(body, 'to', here, type) })
        return
      }
      case 'header.Blacklist': {
        const names = body.names
        if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
          fail([...here, 'names'], '"names" must be a list of header names')
        else {
          const lower = (names as string[]).map((n) => n.toLowerCase())
          const framing = lower.findIndex((n) => n === 'content-length' || n === 'transfer-encoding')
          if (framing !== -1)
            fail(
              [...here, 'names', framing],
              `header.Blacklist cannot remove ${names[framing]}: in Go it changes the request's framing`,
              'remove the name, or use image.runtime: krakend',
            )
          steps.push({ kind: 'remove', names: lower })
        }
        return
      }
      case 'querystring.Modifier':
        steps.push({ kind: 'query', name: str(body, 'name', here), value: str(body, 'value', here) })
        return
    }
  }
  walk(raw, path)
  return ok ? { steps } : undefined
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

export function compileMartian(
  cfg: MartianConfig,
): (headers: HeaderValues, path: string) => { headers: HeaderValues; path: string } {
  return (input, path) => {
    const headers = { ...input }
    for (const step of cfg.steps) {
      switch (step.kind) {
        case 'set':
          headers[step.name] = step.value
          break
        case 'append':
          {
            const current = headers[step.name]
            headers[step.name] =
              current === undefined
                ? step.value
                : Array.isArray(current)
                  ? [...current, step.value]
                  : [current, step.value]
          }
          break
        case 'copy':
          // martian's Header.Get: the first value, '' when absent (the copy is then empty).
          headers[step.to] = firstValue(headers[step.from])
          break
        case 'remove':
          for (const name of step.names) delete headers[name]
          break
        case 'query':
          path = setQuery(path, step.name, step.value)
          break
      }
    }
    userAgentAsGoWrites(headers)
    return { headers, path }
  }
}
