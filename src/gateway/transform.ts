import type { BackendConfig, BackendEncoding, OutputEncoding } from './config/types.ts'
import { applyFlatmap } from './flatmap.ts'
import { GoNumber, goJson, parseJsonKeepingNumbers } from './go-json.ts'
import { parseFeed } from './rss-encoding.ts'
import { parseXml, writeXml } from './xml-encoding.ts'
import { writeYaml } from './yaml-encoding.ts'

export type Data = Record<string, unknown>

const isObject = (value: unknown): value is Data =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof GoNumber)

export class DecodeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DecodeError'
  }
}

/** Turns a backend body into the response data, following the backend `encoding` and `is_collection`. */
export function compileDecoder(encoding: BackendEncoding, isCollection: boolean): (text: string) => Data {
  switch (encoding) {
    case 'string':
      return (text) => ({ content: text })
    case 'xml':
      return (text) => {
        let value: Data
        try {
          value = parseXml(text)
        } catch (error) {
          throw new DecodeError((error as Error).message)
        }
        return isCollection ? { collection: value } : value
      }
    case 'rss':
      return (text) => {
        try {
          return parseFeed(text)
        } catch (error) {
          throw new DecodeError((error as Error).message)
        }
      }
    case 'safejson':
      return (text) => {
        const value = parseJson(text)
        if (isObject(value)) return value
        if (Array.isArray(value)) return { collection: value }
        return { content: value }
      }
    default:
      if (isCollection)
        return (text) => {
          const value = parseJson(text)
          if (!Array.isArray(value))
            throw new DecodeError('the backend did not return a JSON array (is_collection)')
          return { collection: value }
        }
      return (text) => {
        const value = parseJson(text)
        // Go decodes `null` into a map as "nothing": an empty answer, not an error.
        if (value === null) return {}
        if (!isObject(value))
          throw new DecodeError(
            Array.isArray(value)
              ? 'the backend returned a JSON array; set "is_collection": true'
              : 'the backend did not return a JSON object',
          )
        return value
      }
  }
}

/** Go's decoder reports an empty body as EOF: KrakenD treats it as a failed backend. */
function parseJson(text: string): unknown {
  if (text.length === 0) throw new DecodeError('EOF')
  try {
    return parseJsonKeepingNumbers(text)
  } catch {
    throw new DecodeError('the backend returned invalid JSON')
  }
}

// allow / deny as lura's entity formatter applies them: only nested objects are walked (arrays are
// kept or dropped whole), and an object the allow list empties disappears with its key.
interface PathTree {
  [key: string]: PathTree | true
}

function buildTree(paths: string[]): PathTree {
  const root: PathTree = {}
  for (const path of paths) {
    const parts = path.split('.')
    let node = root
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1) node[part] = true
      else {
        const next = node[part]
        if (next === true) break
        if (next === undefined) {
          const child: PathTree = {}
          node[part] = child
          node = child
        } else node = next
      }
    }
  }
  return root
}

/** Removes what the allow tree does not name; true when nothing is left. */
function allowPrune(tree: PathTree, data: Data): boolean {
  let empty = true
  for (const key in data) {
    const rule = tree[key]
    let keep = false
    if (rule === true) keep = true
    else if (rule !== undefined) {
      const value = data[key]
      keep = isObject(value) && !allowPrune(rule, value)
    }
    if (keep) empty = false
    else delete data[key]
  }
  return empty
}

function denyTree(data: Data, tree: PathTree): void {
  for (const key in tree) {
    if (!Object.hasOwn(data, key)) continue
    const rule = tree[key] as PathTree | true
    if (rule === true) delete data[key]
    else {
      const value = data[key]
      if (isObject(value)) denyTree(value, rule)
    }
  }
}

export function getPath(data: unknown, path: string[]): unknown {
  let node = data
  for (const part of path) {
    if (!isObject(node)) return undefined
    node = node[part]
  }
  return node
}

function isEmpty(data: Data): boolean {
  for (const _ in data) return false
  return true
}

/**
 * KrakenD's entity formatter, in its order: target, allow (wins) or deny, mapping, group; with a
 * `flatmap_filter`, target, the flatmap operations, group. Returns undefined when nothing needs
 * doing, so plain backends cost nothing.
 */
export function compileFormatter(backend: BackendConfig): ((data: Data) => Data) | undefined {
  const steps: Array<(data: Data) => Data> = []
  if (backend.target) {
    const path = backend.target.split('.')
    steps.push((data) => {
      const value = getPath(data, path)
      return isObject(value) ? value : {}
    })
  }
  if (backend.flatmap && backend.flatmap.length > 0) {
    const ops = backend.flatmap
    steps.push((data) => applyFlatmap(data, ops))
  } else {
    if (backend.allow && backend.allow.length > 0) {
      const tree = buildTree(backend.allow)
      steps.push((data) => {
        if (!isEmpty(data)) allowPrune(tree, data)
        return data
      })
    } else if (backend.deny && backend.deny.length > 0) {
      const tree = buildTree(backend.deny)
      steps.push((data) => {
        denyTree(data, tree)
        return data
      })
    }
    if (backend.mapping && Object.keys(backend.mapping).length > 0) {
      // lura keeps only the first dot segment of a new name.
      const pairs = Object.entries(backend.mapping).map(([from, to]) => [from, to.split('.')[0] as string])
      steps.push((data) => {
        const renamed: Data = {}
        for (const [from, to] of pairs) {
          if (Object.hasOwn(data, from as string)) {
            renamed[to as string] = data[from as string]
            delete data[from as string]
          }
        }
        return Object.assign(data, renamed)
      })
    }
  }
  if (backend.group) {
    const group = backend.group
    steps.push((data) => ({ [group]: data }))
  }
  if (steps.length === 0) return undefined
  if (steps.length === 1) return steps[0]
  return (data) => {
    let out = data
    for (const step of steps) out = step(out)
    return out
  }
}

export interface Rendered {
  contentType: string
  body: string
}

const JSON_TYPE = 'application/json; charset=utf-8'
const EMPTY_JSON: Rendered = { contentType: JSON_TYPE, body: '{}' }
const EMPTY_COLLECTION: Rendered = { contentType: JSON_TYPE, body: '[]' }

const XML_TYPE = 'application/xml'
const EMPTY_XML: Rendered = { contentType: 'application/xml; charset=utf-8', body: '' }
const renderXml = (data: Data | undefined): Rendered =>
  data === undefined ? EMPTY_XML : { contentType: XML_TYPE, body: writeXml(data) ?? '' }
const renderYaml = (data: Data | undefined): Rendered => ({
  contentType: 'application/yaml; charset=utf-8',
  body: writeYaml(data ?? {}),
})
const renderJson = (data: Data | undefined): Rendered =>
  data === undefined ? EMPTY_JSON : { contentType: JSON_TYPE, body: goJson(data) }

// gin's NegotiateFormat(MIMEJSON, MIMEPlain, MIMEXML, MIMEYAML), as lura's negotiated render calls it.
const OFFERED = ['application/json', 'text/plain', 'application/xml', 'application/x-yaml']

/** The offer gin picks for an Accept header: the first accepted type (in header order) that
 * an offer matches by prefix or up to a `*`; the first offer when there is no Accept; "" when none. */
export function negotiateFormat(accept: string | undefined): string {
  const accepted: string[] = []
  for (let part of (accept ?? '').split(',')) {
    const semi = part.indexOf(';')
    if (semi > 0) part = part.slice(0, semi)
    part = part.trim()
    if (part !== '') accepted.push(part)
  }
  if (accepted.length === 0) return OFFERED[0] as string
  for (const a of accepted)
    for (const offer of OFFERED) {
      let i = 0
      for (; i < a.length && i < offer.length; i += 1) {
        if (a[i] === '*' || offer[i] === '*') return offer
        if (a[i] !== offer[i]) break
      }
      if (i === a.length) return offer
    }
  return ''
}

/** The endpoint `output_encoding` applied to the merged data, written as KrakenD (gin) writes it.
 * `accept` (the request's Accept header) is only read by `negotiate`. */
export function compileRenderer(
  encoding: OutputEncoding,
): (data: Data | undefined, accept?: string) => Rendered {
  switch (encoding) {
    case 'xml':
      return renderXml
    case 'yaml':
      return renderYaml
    case 'negotiate':
      return (data, accept) => {
        switch (negotiateFormat(accept)) {
          case 'application/xml':
            return renderXml(data)
          case 'text/plain':
          case 'application/x-yaml':
            return renderYaml(data)
          default:
            return renderJson(data)
        }
      }
    case 'string':
      return (data) => {
        const content = data?.content
        return { contentType: 'text/plain; charset=utf-8', body: typeof content === 'string' ? content : '' }
      }
    case 'json-collection':
      return (data) => {
        const collection = data?.collection
        return collection === undefined
          ? EMPTY_COLLECTION
          : { contentType: JSON_TYPE, body: goJson(collection) }
      }
    default:
      return renderJson
  }
}

const PARAM = /\{([^{}]+)\}/g

export type PatternPart = string | { param: string; sequential?: { index: number; path: string[] } }

/** Splits a url_pattern into literal text and parameter slots, once at startup. */
export function compilePattern(pattern: string): PatternPart[] {
  const parts: PatternPart[] = []
  let last = 0
  for (const match of pattern.matchAll(PARAM)) {
    if (match.index > last) parts.push(pattern.slice(last, match.index))
    const name = match[1] as string
    const seq = /^resp(\d+)_(.+)$/.exec(name)
    parts.push(
      seq
        ? { param: name, sequential: { index: Number(seq[1]), path: (seq[2] as string).split('.') } }
        : { param: name },
    )
    last = match.index + match[0].length
  }
  if (last < pattern.length) parts.push(pattern.slice(last))
  return parts
}

/** A value from a previous response, made safe for one path segment. */
export function sequentialValue(value: unknown): string {
  let text: string
  if (value === undefined || value === null) text = ''
  else if (Array.isArray(value)) text = value.map((v) => String(v)).join(',')
  else if (typeof value === 'object') text = JSON.stringify(value)
  else text = String(value)
  return text.replace(/[/?#%\s]/g, (c) => encodeURIComponent(c))
}
