/**
 * Keys a JSON object of the config holds twice. JSON.parse keeps the last copy, as KrakenD's
 * decoder (Go's encoding/json into a map) does, and neither says a word about the others: an
 * `extra_config` or a namespace written twice runs without the guard its first copy holds, in
 * KrakenD and here alike. (YAML files refuse a repeated key already, as Go's yaml does.)
 */

import type { Location, Problem } from '../../core/errors.ts'
import { offsetToLineColumn } from '../../core/json-locate.ts'
import { formatKeyPath, type KeyPath } from '../../core/source-text.ts'

export interface DuplicateKey {
  /** The key's path, as the kept (last) copy is read. */
  path: KeyPath
  /** Where the repeated copy's key starts in the text. */
  offset: number
  /** Whether this copy's value is the same JSON as the one before it. */
  sameValue: boolean
  /** Whether the copy before it sets nothing: `{}`, `[]`, `""` or `null`. */
  droppedNothing: boolean
}

interface Frame {
  object: boolean
  /** The container this one is a value of, and under which key or index (the path, built on demand). */
  parent: Frame | undefined
  at: string | number | undefined
  index: number
  /** Per key seen in this object: the text range of its value. */
  values: Map<string, [number, number]>
  key?: string
  keyOffset: number
  valueStart: number
}

/** JSON's white space: space, tab, line feed, carriage return. */
const isSpace = (code: number) => code === 32 || code === 9 || code === 10 || code === 13
/** Where a number, true, false or null ends: white space, a comma or a closing bracket. */
const endsScalar = (code: number) => isSpace(code) || code === 44 || code === 93 || code === 125
const isComment = (key: string) => /^[@$_#]/.test(key)
const sameJson = (a: string, b: string) =>
  a === b || JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b))

function skipString(text: string, i: number): number {
  let at = i + 1
  while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1
  return at + 1
}

/** Go's encoding/json refuses a text nested deeper than this ("exceeded max depth"), and KrakenD the file. */
export const GO_JSON_MAX_DEPTH = 10000

export interface JsonTextScan {
  duplicates: DuplicateKey[]
  /** Where the text first nests deeper than GO_JSON_MAX_DEPTH (the scan stops there). */
  tooDeepAt?: number
}

/**
 * Every repeated key of a text JSON.parse accepted (`@`, `$`, `_` and `#` comment keys aside), at
 * most `limit` of them, and where it nests deeper than Go reads, in one pass without recursion.
 */
export function scanJsonText(text: string, limit = 20): JsonTextScan {
  const found: DuplicateKey[] = []
  const stack: Frame[] = []
  const pathOf = (frame: Frame): Array<string | number> => {
    const path: Array<string | number> = []
    for (let at: Frame | undefined = frame; at?.at !== undefined; at = at.parent) path.push(at.at)
    return path.reverse()
  }
  const ended = (end: number) => {
    const top = stack.at(-1)
    if (!top) return
    if (!top.object) {
      top.index += 1
      return
    }
    const key = top.key as string
    const before = top.values.get(key)
    if (before && !isComment(key) && found.length < limit)
      found.push({
        path: [...pathOf(top), key],
        offset: top.keyOffset,
        sameValue: sameJson(text.slice(before[0], before[1]), text.slice(top.valueStart, end)),
        droppedNothing: /^(\{\s*\}|\[\s*\]|""|null)$/.test(text.slice(before[0], before[1]).trim()),
      })
    top.values.set(key, [top.valueStart, end])
    top.key = undefined
  }
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (isSpace(text.charCodeAt(i)) || c === ',') i += 1
    else if (c === '{' || c === '[') {
      if (stack.length >= GO_JSON_MAX_DEPTH) return { duplicates: found, tooDeepAt: i }
      const top = stack.at(-1)
      stack.push({
        object: c === '{',
        parent: top,
        at: top === undefined ? undefined : top.object ? top.key : top.index,
        index: 0,
        values: new Map(),
        keyOffset: 0,
        valueStart: 0,
      })
      i += 1
    } else if (c === '}' || c === ']') {
      stack.pop()
      i += 1
      ended(i)
    } else if (c === '"') {
      const end = skipString(text, i)
      const top = stack.at(-1)
      if (top?.object && top.key === undefined) {
        top.key = JSON.parse(text.slice(i, end)) as string
        top.keyOffset = i
        i = end
        while (i < text.length && (isSpace(text.charCodeAt(i)) || text[i] === ':')) i += 1
        top.valueStart = i
      } else {
        i = end
        ended(i)
      }
    } else {
      while (i < text.length && !endsScalar(text.charCodeAt(i))) i += 1
      ended(i)
    }
  }
  return { duplicates: found }
}

/**
 * lura keys whose dropped copy can hold what guards traffic: components, a response filter, what
 * reaches the backend, the endpoints and backends holding them, TLS.
 */
export const GUARDING_KEYS: ReadonlySet<string> = new Set([
  'extra_config',
  'tls',
  'allow',
  'deny',
  'input_headers',
  'input_query_strings',
  'endpoints',
  'backend',
])

/**
 * What KrakenD's reading of the JSON text says beyond JSON.parse: nesting deeper than Go reads is
 * an error (KrakenD refuses the file); a repeated key is an error where the copy KrakenD drops
 * differs from the kept one and sits where guards are configured (anything in `extra_config` or
 * `tls`, a backend filter, the headers and query strings passed on, the endpoint and backend
 * lists), a warning otherwise.
 */
export function jsonTextProblems(
  text: string,
  locate: (offset: number) => Location,
): { errors: Problem[]; warnings: Problem[]; tooDeep: boolean } {
  const errors: Problem[] = []
  const warnings: Problem[] = []
  const { duplicates, tooDeepAt } = scanJsonText(text)
  if (tooDeepAt !== undefined)
    errors.push({
      message: `the JSON nests deeper than ${GO_JSON_MAX_DEPTH} levels here: KrakenD's decoder (Go's encoding/json) refuses the whole file ("exceeded max depth")`,
      location: locate(tooDeepAt),
      hint: 'nest the values less deeply',
    })
  for (const { path, offset, sameValue, droppedNothing } of duplicates) {
    const key = String(path.at(-1))
    const guarding = path.includes('extra_config') || path[0] === 'tls' || GUARDING_KEYS.has(key)
    const location = { ...locate(offset), path: formatKeyPath(path) }
    if (sameValue)
      warnings.push({
        message: `"${key}" is written twice in this object, with the same value`,
        location,
        hint: `remove one "${key}"`,
      })
    else if (guarding && !droppedNothing)
      errors.push({
        message: `"${key}" is written twice in this object: KrakenD reads only the last copy and silently drops the earlier one, with what it sets`,
        location,
        hint: `merge the two "${key}" into one`,
      })
    else
      warnings.push({
        message: `"${key}" is written twice in this object: KrakenD reads only the last copy`,
        location,
        hint: `keep one "${key}"`,
      })
  }
  return { errors, warnings, tooDeep: tooDeepAt !== undefined }
}

/** file:line:column of a text offset. */
const textOffsetLocator =
  (text: string, file: string) =>
  (offset: number): Location => ({
    file,
    ...offsetToLineColumn(text, offset),
  })

/** How parseSourceDocumentWith tells a JSON file (a rendered template included) from YAML. */
const isJsonFile = (file: string) => /\.json( \(rendered\))?$/.test(file)

/**
 * jsonTextProblems for a config file as parsed (`file` as named to the parser): nothing for YAML,
 * which refuses a repeated key and too deep a nesting at parse time. A rendered flexible-config
 * text is located in its sources through `origin`. For the gateway's loader and for release's
 * stamp, which validates the parsed value and ships it re-encoded (a repeated key gone from it).
 */
export function checkJsonText(
  text: string,
  file: string,
  origin?: { locate(offset: number): { location: Location } },
): { errors: Problem[]; warnings: Problem[]; tooDeep: boolean } {
  if (!isJsonFile(file)) return { errors: [], warnings: [], tooDeep: false }
  const locate = origin ? (offset: number) => origin.locate(offset).location : textOffsetLocator(text, file)
  return jsonTextProblems(text, locate)
}
