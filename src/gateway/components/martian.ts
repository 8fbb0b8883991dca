/**
 * `modifier/martian` (backend level): the request modifiers in common use, applied to each backend
 * request after KrakenD's own header and query filtering, as martian does. Supported: `fifo.Group`,
 * `header.Modifier` (set), `header.Append`, `header.Copy`, `header.Blacklist` (remove) and
 * `querystring.Modifier` (set; like Go, the query is then re-encoded with sorted keys), all with
 * `"scope": ["request"]`. Any other modifier or the response scope is a config error.
 */
import type { KeyPath } from '../../core/source-text.ts'
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

const SUPPORTED = [
  'fifo.Group',
  'header.Modifier',
  'header.Append',
  'header.Copy',
  'header.Blacklist',
  'querystring.Modifier',
]

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
        if (!Array.isArray(body.modifiers)) fail([...here, 'modifiers'], '"modifiers" must be a list')
        else for (const [i, m] of body.modifiers.entries()) walk(m, [...here, 'modifiers', i])
        return
      }
      case 'header.Modifier':
      case 'header.Append':
        steps.push({
          kind: type === 'header.Modifier' ? 'set' : 'append',
          name: str(body, 'name', here).toLowerCase(),
          value: str(body, 'value', here),
        })
        return
      case 'header.Copy':
        steps.push({
          kind: 'copy',
          from: str(body, 'from', here).toLowerCase(),
          to: str(body, 'to', here).toLowerCase(),
        })
        return
      case 'header.Blacklist': {
        const names = body.names
        if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
          fail([...here, 'names'], '"names" must be a list of header names')
        else steps.push({ kind: 'remove', names: (names as string[]).map((n) => n.toLowerCase()) })
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

/** Go's url.QueryEscape. */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
}

/** Go's url.Values.Encode: keys sorted, values in order. */
function encodeQuery(params: URLSearchParams): string {
  const keys = [...new Set(params.keys())].sort()
  const parts: string[] = []
  for (const key of keys)
    for (const value of params.getAll(key)) parts.push(`${queryEscape(key)}=${queryEscape(value)}`)
  return parts.join('&')
}

export function compileMartian(
  cfg: MartianConfig,
): (headers: HeaderValues, path: string) => { headers: HeaderValues; path: string } {
  return (input, path) => {
    const headers = { ...input }
    let query: URLSearchParams | undefined
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
          headers[step.to] = headers[step.from] ?? ''
          break
        case 'remove':
          for (const name of step.names) delete headers[name]
          break
        case 'query': {
          const q = path.indexOf('?')
          query ??= new URLSearchParams(q === -1 ? '' : path.slice(q + 1))
          query.set(step.name, step.value)
          path = `${q === -1 ? path : path.slice(0, q)}?${encodeQuery(query)}`
          break
        }
      }
    }
    return { headers, path }
  }
}
