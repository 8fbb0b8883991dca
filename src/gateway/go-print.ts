// Go's fmt %v of the values lura's sequential merger hands on as params (`{resp0_a.b}`): decoded
// JSON prints as Go prints interface{} values, and krakend-rss's fields keep their Go types
// (*gofeed.Person, []string, map[string]string), nil ones included, which print their own way.

import { goFormatFloat } from './go-float.ts'
import { GoNumber } from './go-json.ts'
import { compareGoKeys } from './go-json-order.ts'

type Data = Record<string, unknown>

const GO_POINTER_FIELDS = Symbol('a pointer to a Go struct: its fields in declaration order')
const FEED_NILS = Symbol("krakend-rss's map: the %v of its typed fields when they are nil")

/** Marks `value` as a pointer to a Go struct of `fields` (in order): %v prints `&{v1 v2}`. */
export function goStructPointer<T extends object>(value: T, fields: string[]): T {
  Object.defineProperty(value, GO_POINTER_FIELDS, { value: fields })
  return value
}

/**
 * Marks krakend-rss's map with what Go prints for its typed fields when they hold nil (`null` to
 * us): a nil []string prints `[]`, a nil map[string]string `map[]`, a nil pointer `<nil>`.
 */
export function goFeedNils(feed: Data, nils: Record<string, string>): Data {
  Object.defineProperty(feed, FEED_NILS, { value: nils })
  return feed
}

/** `copy` of krakend-rss's map `from` keeps its typed nils (lura merges into the map itself). */
export function keepGoFeedNils(from: Data, copy: Data): void {
  const nils = (from as { [FEED_NILS]?: Record<string, string> })[FEED_NILS]
  if (nils) goFeedNils(copy, nils)
}

/** Whether `map[key]` holding nil is a typed nil of krakend-rss's (not interface{} nil). */
export function isGoTypedNil(map: Data, key: string): boolean {
  const nils = (map as { [FEED_NILS]?: Record<string, string> })[FEED_NILS]
  return nils !== undefined && Object.hasOwn(nils, key)
}

/** What Go prints for `map[key]` holding nil: a typed nil of krakend-rss's, else interface{} nil. */
export function goNilText(map: Data, key: string): string {
  const nils = (map as { [FEED_NILS]?: Record<string, string> })[FEED_NILS]
  return (nils && Object.hasOwn(nils, key) ? nils[key] : undefined) ?? '<nil>'
}

/** Go's %v of a decoded value (json.Number prints its text, maps as map[k:v ...] by sorted key). */
export function goPrint(value: unknown): string {
  if (value === null || value === undefined) return '<nil>'
  if (Array.isArray(value)) return `[${value.map(goPrint).join(' ')}]`
  if (typeof value === 'object' && !(value instanceof GoNumber)) {
    const obj = value as Data
    const fields = (obj as { [GO_POINTER_FIELDS]?: string[] })[GO_POINTER_FIELDS]
    if (fields) return `&{${fields.map((f) => (obj[f] === undefined ? '' : goPrint(obj[f]))).join(' ')}}`
    return `map[${Object.keys(obj)
      .sort(compareGoKeys)
      .map((k) => `${k}:${goPrint(obj[k])}`)
      .join(' ')}]`
  }
  // a Lua script's NaN or ±Inf is a float64
  if (typeof value === 'number' && !Number.isFinite(value)) return goFormatFloat(value)
  return String(value)
}
