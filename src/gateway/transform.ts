import { feedDecoding, xmlDecoding } from './components/runtimes.ts'
import type { BackendConfig, BackendEncoding } from './config/types.ts'
import { applyFlatmap, type FlatmapOp, goTypedValue, isGoContainer } from './flatmap.ts'
import { invalidByteMark } from './go-bytes-string.ts'
import { goNilMap, goNilSlice, isGoNilMap } from './go-json.ts'
import {
  firstValueText,
  GO_MAP,
  GO_SLICE,
  goUnmarshalTypeError,
  parseJsonKeepingNumbers,
} from './go-json-decoder.ts'
import { goFeedNils, goStructPointer } from './go-print.ts'
import { goUtf8 } from './go-utf8.ts'
import { setOwnKey } from './own-keys.ts'

export type Data = Record<string, unknown>

/** A Go map[string]interface{}: what lura's allow, deny and target walk into. */
const isObject = (value: unknown): value is Data => isGoContainer(value) && !Array.isArray(value)

export class DecodeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DecodeError'
  }
}

/** Turns a backend body into the response data, following the backend `encoding` and `is_collection`. */
/** A backend body's decoder: `text` is the body as Go's decoders read UTF-8, `bytes` the body itself. */
export type Decoder = (text: string, bytes: Uint8Array) => Data

export function compileDecoder(encoding: BackendEncoding, isCollection: boolean): Decoder {
  switch (encoding) {
    case 'string':
      // lura keeps the body's bytes: one that is not UTF-8 is marked, to be written back as Go does.
      return (text, bytes) => ({ content: text.includes('\uFFFD') ? goUtf8(bytes, invalidByteMark) : text })
    case 'xml': {
      const { parseXml } = xmlDecoding()
      // The XML reader takes the bytes: a declared charset, and invalid UTF-8 where Go reads it.
      return (_text, bytes) => {
        let value: Data
        try {
          value = parseXml(bytes)
        } catch (error) {
          throw new DecodeError((error as Error).message)
        }
        // krakend-xml's collection is an mxj.Map, a named type lura's target, allow, deny and flatmap
        // do not walk into (they assert map[string]interface{}): a Go value of its own type to them
        return isCollection ? { collection: goTypedValue(value) } : value
      }
    }
    case 'rss': {
      const { parseFeed } = feedDecoding()
      return (text) => {
        try {
          return typedFeedFields(parseFeed(text))
        } catch (error) {
          throw new DecodeError((error as Error).message)
        }
      }
    }
    case 'safejson':
      return (text, bytes) => {
        const value = decodeJson(text, bytes)
        if (isObject(value)) return value
        if (Array.isArray(value)) return { collection: value }
        return { content: value }
      }
    default:
      if (isCollection)
        return (text, bytes) => {
          const value = decodeJson(text, bytes)
          // Go decodes `null` into a slice as a nil slice, not an error.
          if (value === null) return { collection: goNilSlice() }
          if (!Array.isArray(value)) throw new DecodeError(goUnmarshalTypeError(value, GO_SLICE))
          return { collection: value }
        }
      return (text, bytes) => {
        const value = decodeJson(text, bytes)
        // Go decodes `null` into a map as a nil map: no data, rendered `null`.
        if (value === null) return goNilMap()
        if (!isObject(value)) throw new DecodeError(goUnmarshalTypeError(value, GO_MAP))
        return value
      }
  }
}

/** krakend-rss's fields of Go types other than map[string]interface{} / []interface{}: their nil's %v. */
const TYPED_FEED_NILS = { items: '[]', categories: '[]', custom: 'map[]', author: '<nil>' }

function typedFeedFields(feed: Data): Data {
  for (const key of ['items', 'categories', 'custom']) {
    const value = feed[key]
    if (typeof value === 'object' && value !== null) goTypedValue(value)
  }
  // author is a *gofeed.Person (already marked a struct)
  if (typeof feed.author === 'object' && feed.author !== null) goStructPointer(feed.author, PERSON_FIELDS)
  return goFeedNils(feed, TYPED_FEED_NILS)
}

const PERSON_FIELDS = ['name', 'email']

/**
 * The first JSON value of a backend body, as Go's json.Decoder reads it: what follows the value
 * is never read, and a failure carries Go's message (an empty body is Go's EOF). The plain parse
 * of the whole body comes first; only when it fails is the first value located and parsed.
 */
function decodeJson(text: string, bytes: Uint8Array): unknown {
  if (text.length === 0) throw new DecodeError('EOF')
  try {
    return parseJsonKeepingNumbers(text)
  } catch {
    const first = firstValueText(bytes)
    if (first.error !== undefined) throw new DecodeError(first.error)
    return parseJsonKeepingNumbers(first.text)
  }
}

// allow / deny as lura's entity formatter applies them: only nested objects are walked (arrays are
// kept or dropped whole), and an object the allow list empties disappears with its key.
interface PathTree {
  [key: string]: PathTree | true
}

/** A tree node without a prototype: `__proto__`, `constructor`... are path segments like any other. */
const newTree = (): PathTree => Object.create(null) as PathTree

/** lura's deny tree: a shorter path covers the longer ones, in any order. */
function buildDenyTree(paths: string[]): PathTree {
  const root = newTree()
  for (const path of paths) {
    const parts = path.split('.')
    let node = root
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1) node[part] = true
      else {
        const next = node[part]
        if (next === true) break
        if (next === undefined) {
          const child = newTree()
          node[part] = child
          node = child
        } else node = next
      }
    }
  }
  return root
}

/**
 * lura's allow tree (buildDictPath): each path is written over what the earlier ones left, so
 * ["a", "a.b"] allows only a.b (the later path turns the leaf `a` into a branch) and ["a.b", "a"]
 * allows all of a.
 */
function buildAllowTree(paths: string[]): PathTree {
  const root = newTree()
  for (const path of paths) {
    const parts = path.split('.')
    let node = root
    for (const part of parts.slice(0, -1)) {
      let next = node[part]
      if (next === undefined || next === true) {
        next = newTree()
        node[part] = next
      }
      node = next
    }
    node[parts[parts.length - 1] as string] = true
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

/** The value under a dot path, stepping through objects only (own keys); undefined when missing. */
function targetValue(data: Data, path: string[]): unknown {
  let node: unknown = data
  for (const part of path) {
    if (!isObject(node) || !Object.hasOwn(node, part)) return undefined
    node = node[part]
  }
  return node
}

function isEmpty(data: Data): boolean {
  for (const _ in data) return false
  return true
}

/**
 * Go's `for k, v := range part { data[k] = v }`. Object.assign would take a `__proto__` key (a
 * backend's JSON may have one) as the target's prototype: the key would vanish and the answer
 * inherit its fields. Only an object that has that key pays for the slower copy.
 */
export function assignOwn(data: Data, part: Data): Data {
  if (!Object.hasOwn(part, '__proto__')) return Object.assign(data, part)
  for (const key of Object.keys(part)) setOwnKey(data, key, part[key])
  return data
}

/**
 * krakend/flatmap's operations as lura applies them: an answer with keys that the operations
 * empty is a nil map (the emptied tree root is no map), an answer without keys stays as it is.
 */
export function goFlatmap(data: Data, ops: FlatmapOp[]): Data {
  if (isEmpty(data)) return data
  const out = applyFlatmap(data, ops)
  return isEmpty(out) ? goNilMap() : out
}

/**
 * lura's combineData for the merged answer so far and one more backend's data: a part without
 * data (a nil map) is skipped, and two without data give an empty map. (Either being nil makes
 * the answer incomplete; the caller tracks that.)
 */
export function combineData(merged: Data, part: Data): Data {
  if (isGoNilMap(part)) return isGoNilMap(merged) ? {} : merged
  if (isGoNilMap(merged)) return part
  return assignOwn(merged, part)
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
      const value = targetValue(data, path)
      return isObject(value) ? value : {}
    })
  }
  if (backend.flatmap && backend.flatmap.length > 0) {
    const ops = backend.flatmap
    steps.push((data) => goFlatmap(data, ops))
  } else {
    if (backend.allow && backend.allow.length > 0) {
      const tree = buildAllowTree(backend.allow)
      steps.push((data) => {
        if (!isEmpty(data)) allowPrune(tree, data)
        return data
      })
    } else if (backend.deny && backend.deny.length > 0) {
      const tree = buildDenyTree(backend.deny)
      steps.push((data) => {
        denyTree(data, tree)
        return data
      })
    }
    if (backend.mapping && Object.keys(backend.mapping).length > 0) {
      // lura keeps only the first dot segment of a new name and renames in place, one pair after
      // the other: the value is stored under the new name, then the old name is deleted (so a
      // field mapped to itself disappears). Go walks the pairs in random order; we take the config's.
      const pairs = Object.entries(backend.mapping).map(
        ([from, to]) => [from, to.split('.')[0] as string] as const,
      )
      steps.push((data) => {
        if (isEmpty(data)) return data
        for (const [from, to] of pairs) {
          if (!Object.hasOwn(data, from)) continue
          setOwnKey(data, to, data[from])
          delete data[from]
        }
        return data
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
