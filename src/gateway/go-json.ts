// JSON text exactly as Go's encoding/json.Marshal writes it for map[string]interface{} values,
// which is what KrakenD sends whenever it re-encodes a response: object keys sorted, `<`, `>`, `&`,
// U+2028 and U+2029 escaped as \u003c \u003e \u0026 \u2028 \u2029, no trailing newline.
// Numbers print like Go's float64 encoder, which for finite values is what JavaScript prints.

import { setOwnKey } from './own-keys.ts'

const GO_ESCAPES = /[<>&\u2028\u2029]/g
const NEEDS_ESCAPE = /[<>&\u2028\u2029]/
const GO_ESCAPE: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
}
const escapeOne = (c: string) => GO_ESCAPE[c] as string
// Node >= 21 (V8's JSON.parse source text access); not in TypeScript's lib yet.
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON

/**
 * A backend number whose JavaScript value would print differently from its text (1.50, 1e3, -0,
 * integers beyond 2^53). KrakenD decodes with UseNumber and writes such numbers back verbatim.
 */
export class GoNumber {
  readonly literal: string
  constructor(literal: string) {
    this.literal = literal
  }
  toString(): string {
    return this.literal
  }
  /** JSON.stringify writes the backend's text verbatim. */
  toJSON(): unknown {
    return rawJSON(this.literal)
  }
}

/**
 * The prototype of Go's nil map[string]interface{}, what Go's decoder makes of a backend's JSON
 * `null` (and krakend/flatmap of an answer it empties): read like an empty object, written as
 * `null` by encoding/json. A value with keys written into it is an ordinary map again.
 */
const NIL_MAP: object = Object.create(Object.prototype, {
  toJSON: {
    value(this: Record<string, unknown>): unknown {
      for (const _ in this) return { ...this }
      return null
    },
  },
})

/** A new nil map (see NIL_MAP). */
export const goNilMap = (): Record<string, unknown> => Object.create(NIL_MAP)

/** Whether `value` is a nil map: made by goNilMap and still without keys. */
export function isGoNilMap(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== NIL_MAP) return false
  for (const _ in value) return false
  return true
}

const GO_STRUCT = Symbol('a Go struct: fields in declaration order')

/**
 * Marks `fields` as a Go struct value: encoding/json writes a struct's fields in the order they
 * are declared, not sorted like a map's keys (lura's HTTPResponseError in return_error_details).
 */
export function goStruct<T extends object>(fields: T): T {
  Object.defineProperty(fields, GO_STRUCT, { value: true })
  return fields
}

/** Whether `obj` was marked by goStruct. */
export const isGoStruct = (obj: object) => (obj as { [GO_STRUCT]?: boolean })[GO_STRUCT] === true

const GO_RESPONSE_ERROR = Symbol("lura's NamedHTTPResponseError")

/**
 * lura's NamedHTTPResponseError (return_error_details: http_status_code, http_body,
 * http_body_encoding): a Go struct that the YAML and XML renders write in their own ways.
 */
export function goResponseError<T extends object>(fields: T): T {
  Object.defineProperty(fields, GO_RESPONSE_ERROR, { value: true })
  return goStruct(fields)
}

/** Whether `obj` was marked by goResponseError. */
export const isGoResponseError = (obj: object) =>
  (obj as { [GO_RESPONSE_ERROR]?: boolean })[GO_RESPONSE_ERROR] === true

/**
 * Go's Marshal output for a JSON-like value (no trailing newline). Objects inside `value` may be
 * replaced by copies with their keys in Go's order (same content): the encoding itself is V8's
 * JSON.stringify, the fast path, once every object's keys are in Go's order.
 */
export function goJson(value: unknown): string {
  let text: string
  try {
    needsGoEncoder = false
    const ordered = inGoKeyOrder(value)
    text = needsGoEncoder ? encode(value) : (JSON.stringify(ordered) ?? 'null')
  } catch (error) {
    // Nesting deeper than the call stack holds (a few thousand levels; Go's encoder has no limit,
    // and XML or static data can be that deep): the same text, built without recursion.
    if (!(error instanceof RangeError)) throw error
    text = encodeDeep(value)
  }
  // A lone surrogate (a byte that is not UTF-8, see go-bytes-string.ts): Go writes \ufffd.
  if (text.includes('\\ud')) text = text.replace(LONE_SURROGATE_ESCAPE, goReplacement)
  // The escaped characters can only occur inside strings, so one pass over the output is exact.
  return NEEDS_ESCAPE.test(text) ? text.replace(GO_ESCAPES, escapeOne) : text
}

// JSON.stringify's escape of a lone surrogate; an even run of backslashes before `u` is literal text.
const LONE_SURROGATE_ESCAPE = /(\\+)ud[89a-f][0-9a-f]{2}/g
const goReplacement = (matched: string, slashes: string) =>
  slashes.length % 2 === 1 ? `${slashes}ufffd` : matched

/**
 * Set by inGoKeyOrder on what JSON.stringify cannot order like Go: integer-like keys (V8
 * enumerates them first, in numeric order) and -0. Values holding them take the string-building
 * encoder. (A flag rather than a return value: generated copiers pass values straight through.)
 */
let needsGoEncoder = false

/** `value` with every object's keys sorted as Go sorts map keys (sets needsGoEncoder instead where it cannot). */
function inGoKeyOrder(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) {
    if (value === 0 && 1 / value < 0) needsGoEncoder = true
    return value
  }
  if (value instanceof GoNumber) return value
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i]
      if (needsVisit(item)) {
        const ordered = inGoKeyOrder(item)
        if (ordered !== item) value[i] = ordered
      }
    }
    return value
  }
  const obj = value as Record<string, unknown>
  const keys = Object.keys(obj)
  const first = keys[0]
  if (first === undefined) return obj
  if (isArrayIndex(first)) {
    needsGoEncoder = true
    return obj
  }
  if (sorted(keys) || isGoStruct(obj)) {
    for (const key of keys) {
      const item = obj[key]
      if (needsVisit(item)) {
        const ordered = inGoKeyOrder(item)
        if (ordered !== item) obj[key] = ordered
      }
    }
    return obj
  }
  const shape = goKeyOrder(keys)
  const copier = shape.copier ?? copierFor(shape)
  if (copier !== undefined) return copier(obj, orderedValue)
  const copy: Record<string, unknown> = {}
  for (const key of shape.order) {
    const ordered = orderedValue(obj[key])
    // An own "__proto__" key (JSON.parse makes one) stays a key, as in Go's map.
    setOwnKey(copy, key, ordered)
  }
  return copy
}

const orderedValue = (item: unknown): unknown => (needsVisit(item) ? inGoKeyOrder(item) : item)

/** Builds an object shape's ordered copy: one object literal with its keys in Go's order. */
type Copier = (obj: Record<string, unknown>, order: (item: unknown) => unknown) => Record<string, unknown>

interface Shape {
  keys: string[]
  order: string[]
  /** How often this shape was ordered by the generic copy loop. */
  copies: number
  copier?: Copier
}

/**
 * Sorted key lists of the object shapes seen so far: backends answer with the same shapes again
 * and again, and sorting was most of the cost of ordering (a lookup compares interned strings).
 * Bounded: at most ORDER_CACHE_KEYS first keys, ORDER_CACHE_SHAPES shapes under each.
 */
const orderCache = new Map<string, Shape[]>()
const ORDER_CACHE_KEYS = 4096
const ORDER_CACHE_SHAPES = 8

function goKeyOrder(keys: string[]): Shape {
  const first = keys[0] as string
  let shapes = orderCache.get(first)
  if (shapes)
    for (const shape of shapes)
      if (shape.keys.length === keys.length && sameKeys(shape.keys, keys)) return shape
  // Default sort compares UTF-16 code units, as compareUtf8 does.
  const shape: Shape = { keys, order: [...keys].sort(), copies: 0 }
  if (!shapes && orderCache.size < ORDER_CACHE_KEYS) {
    shapes = []
    orderCache.set(first, shapes)
  }
  if (shapes && shapes.length < ORDER_CACHE_SHAPES) shapes.push(shape)
  return shape
}

/**
 * Shapes seen again and again get a generated copier: an object literal builds the copy in one
 * step, where the generic loop's stores with varying keys are V8's slowest kind (megamorphic).
 * Generated only once a shape has recurred, for shapes of moderate size, and a bounded number
 * of them. Keys enter the source as JSON string literals (valid JavaScript), so no key can
 * change the code; `__proto__` is a computed key there, which defines an own property.
 */
const COPIER_AFTER = 8
const COPIER_MAX_KEYS = 64
let copiersLeft = 256

function copierFor(shape: Shape): Copier | undefined {
  shape.copies += 1
  if (shape.copies < COPIER_AFTER || copiersLeft === 0 || shape.order.length > COPIER_MAX_KEYS)
    return undefined
  const fields = shape.order.map((key) => {
    const literal = JSON.stringify(key)
    return `${key === '__proto__' ? `[${literal}]` : literal}:v(o[${literal}])`
  })
  try {
    shape.copier = new Function('o', 'v', `return {${fields.join(',')}}`) as Copier
  } catch {
    // Code generation from strings disallowed (--disallow-code-generation-from-strings).
    copiersLeft = 0
    return undefined
  }
  copiersLeft -= 1
  return shape.copier
}

function sameKeys(a: string[], b: string[]): boolean {
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false
  return true
}

/** Objects and arrays to order, and -0 to detect. */
const needsVisit = (item: unknown): boolean =>
  typeof item === 'object' ? item !== null : item === 0 && 1 / item < 0

/** Keys V8 enumerates before all others: canonical integers below 2^32 - 1. */
function isArrayIndex(key: string): boolean {
  const c = key.charCodeAt(0)
  if (c < 48 || c > 57) return false
  return /^(0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4294967295
}

function encode(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      // Go refuses NaN/Inf; JSON.parse never produces them. -0 prints as Go prints it.
      return Number.isFinite(value) ? (Object.is(value, -0) ? '-0' : String(value)) : 'null'
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object': {
      if (value === null) return 'null'
      if (value instanceof GoNumber) return value.literal
      if (Array.isArray(value)) {
        if (value.length === 0) return '[]'
        let out = '['
        for (let i = 0; i < value.length; i += 1) {
          if (i > 0) out += ','
          const item = value[i]
          out += item === undefined ? 'null' : encode(item)
        }
        return `${out}]`
      }
      const obj = value as Record<string, unknown>
      const keys = Object.keys(obj)
      if (keys.length === 0) return isGoNilMap(obj) ? 'null' : '{}'
      if (!sorted(keys) && !isGoStruct(obj)) keys.sort(compareUtf8)
      let out = '{'
      let first = true
      for (const key of keys) {
        const item = obj[key]
        if (item === undefined) continue
        if (!first) out += ','
        first = false
        out += `${JSON.stringify(key)}:${encode(item)}`
      }
      return `${out}}`
    }
    default:
      return 'null'
  }
}

/** Go sorts map keys by their bytes; for BMP text that is the UTF-16 order JavaScript compares. */
function compareUtf8(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function sorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i += 1) if ((keys[i - 1] as string) > (keys[i] as string)) return false
  return true
}

type DeepFrame =
  | { array: unknown[]; i: number }
  | { object: Record<string, unknown>; keys: string[]; i: number; first: boolean }

/** `encode` with an explicit stack instead of recursion. */
function encodeDeep(root: unknown): string {
  const out: string[] = []
  const stack: DeepFrame[] = []
  const open = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || value instanceof GoNumber) {
      out.push(encode(value))
      return
    }
    if (Array.isArray(value)) {
      out.push('[')
      stack.push({ array: value, i: 0 })
      return
    }
    const object = value as Record<string, unknown>
    if (isGoNilMap(object)) {
      out.push('null')
      return
    }
    const keys = Object.keys(object)
    if (!sorted(keys) && !isGoStruct(object)) keys.sort(compareUtf8)
    out.push('{')
    stack.push({ object, keys, i: 0, first: true })
  }
  open(root)
  for (let top = stack.at(-1); top !== undefined; top = stack.at(-1)) {
    if ('array' in top) {
      if (top.i === top.array.length) {
        out.push(']')
        stack.pop()
        continue
      }
      if (top.i > 0) out.push(',')
      const item = top.array[top.i]
      top.i += 1
      open(item === undefined ? null : item)
      continue
    }
    let key = top.keys[top.i]
    while (key !== undefined && top.object[key] === undefined) {
      top.i += 1
      key = top.keys[top.i]
    }
    if (key === undefined) {
      out.push('}')
      stack.pop()
      continue
    }
    top.i += 1
    out.push(`${top.first ? '' : ','}${JSON.stringify(key)}:`)
    top.first = false
    open(top.object[key])
  }
  return out.join('')
}
