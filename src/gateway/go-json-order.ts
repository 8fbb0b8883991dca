// Go's encoding/json writes a map's keys sorted by their UTF-8 bytes; V8's JSON.stringify writes an
// object's keys in the order they were added. goKeyOrdered puts every object of a value in Go's
// order so that JSON.stringify, V8's fast path, writes Go's text: objects already in that order are
// kept (their values visited in place), the others replaced by copies with the same content.

import { GoNumber, isGoStruct } from './go-json-values.ts'
import { setOwnKey } from './own-keys.ts'

/**
 * Set by inGoKeyOrder on what JSON.stringify cannot order like Go: integer-like keys (V8
 * enumerates them first, in numeric order) and -0. Values holding them take the string-building
 * encoder. (A flag rather than a return value: generated copiers pass values straight through.)
 */
let stringEncoderNeeded = false

/** Whether the last goKeyOrdered value holds what only the string-building encoder writes as Go does. */
export const needsStringEncoder = (): boolean => stringEncoderNeeded

/** `value` with every object's keys in Go's order (see needsStringEncoder for what cannot be). */
export function goKeyOrdered(value: unknown): unknown {
  stringEncoderNeeded = false
  return inGoKeyOrder(value)
}

function inGoKeyOrder(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) {
    if (value === 0 && 1 / value < 0) stringEncoderNeeded = true
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
    stringEncoderNeeded = true
    return obj
  }
  const shape = shapeOf(keys)
  if (shape.inOrder || isGoStruct(obj)) {
    const visitor = shape.visitor ?? visitorFor(shape)
    if (visitor !== undefined) visitor(obj, inGoKeyOrder)
    else visitInPlace(obj, keys)
    return obj
  }
  const copier = shape.copier ?? copierFor(shape)
  if (copier !== undefined) return copier(obj, orderedValue)
  const copy: Record<string, unknown> = {}
  // An own "__proto__" key (JSON.parse makes one) stays a key, as in Go's map.
  for (const key of goOrderOf(shape)) setOwnKey(copy, key, orderedValue(obj[key]))
  return copy
}

function visitInPlace(obj: Record<string, unknown>, keys: string[]): void {
  for (const key of keys) {
    const item = obj[key]
    if (needsVisit(item)) {
      const ordered = inGoKeyOrder(item)
      if (ordered !== item) obj[key] = ordered
    }
  }
}

const orderedValue = (item: unknown): unknown => (needsVisit(item) ? inGoKeyOrder(item) : item)

/** Objects and arrays to order, and -0 to detect. */
const needsVisit = (item: unknown): boolean =>
  typeof item === 'object' ? item !== null : item === 0 && 1 / item < 0

/** Builds an object shape's ordered copy: one object literal with its keys in Go's order. */
type Copier = (obj: Record<string, unknown>, order: (item: unknown) => unknown) => Record<string, unknown>
/** Orders the objects and arrays an object of the shape holds, in place. */
type Visitor = (obj: Record<string, unknown>, order: (item: unknown) => unknown) => void

export interface Shape {
  /** The keys as V8 enumerates them. */
  keys: string[]
  /** Whether `keys` are in Go's order already. */
  inOrder: boolean
  /** The keys in Go's order, sorted at the first need (see goOrderOf). */
  order: string[] | undefined
  /** Whether the shape is kept (the same object at every sight), not worked out for one sight. */
  cached: boolean
  /** How often objects of this shape were ordered without generated code. */
  uses: number
  copier?: Copier
  visitor?: Visitor
}

/**
 * The object shapes seen so far, with whether their keys are in Go's order and that order:
 * backends answer with the same shapes again and again, and comparing key texts was most of the
 * cost of ordering (a lookup compares interned strings). Bounded: at most ORDER_CACHE_KEYS first
 * keys, ORDER_CACHE_SHAPES shapes under each; other shapes are worked out at each sight.
 */
const orderCache = new Map<string, Shape[]>()
const ORDER_CACHE_KEYS = 4096
const ORDER_CACHE_SHAPES = 8

/** The shape found last: lists of objects of one shape find it without a lookup. */
let lastShape: Shape = { keys: [], inOrder: true, order: [], cached: false, uses: 0 }

/** A shape's keys in Go's order. */
function goOrderOf(shape: Shape): string[] {
  shape.order ??= shape.inOrder ? shape.keys : [...shape.keys].sort(compareGoKeys)
  return shape.order
}

/** The shape of an object with these keys (at least one, as Object.keys lists them). */
export function shapeOf(keys: string[]): Shape {
  const last = lastShape
  if (last.keys.length === keys.length && sameKeys(last.keys, keys)) return last
  lastShape = cachedShape(keys)
  return lastShape
}

function cachedShape(keys: string[]): Shape {
  const first = keys[0] as string
  let shapes = orderCache.get(first)
  if (shapes)
    for (const shape of shapes)
      if (shape.keys.length === keys.length && sameKeys(shape.keys, keys)) return shape
  const inOrder = goKeysSorted(keys)
  const shape: Shape = { keys, inOrder, order: inOrder ? keys : undefined, cached: false, uses: 0 }
  if (!shapes && orderCache.size < ORDER_CACHE_KEYS) {
    shapes = []
    orderCache.set(first, shapes)
  }
  if (shapes && shapes.length < ORDER_CACHE_SHAPES) {
    shape.cached = true
    shapes.push(shape)
  }
  return shape
}

function sameKeys(a: string[], b: string[]): boolean {
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false
  return true
}

/**
 * Shapes seen again and again get generated code: an object literal builds the ordered copy in
 * one step, and a visitor reads each value under a constant key, where the generic loops' reads
 * and stores with varying keys are V8's slowest kind (megamorphic). Generated only once a shape
 * has recurred, for shapes of moderate size, and a bounded number of them. Keys enter the source
 * as JSON string literals (valid JavaScript), so no key can change the code; `__proto__` is a
 * computed key in a literal, which defines an own property (a read or store of an own
 * `__proto__` data property is ordinary).
 */
export const GENERATE_AFTER = 8
const GENERATED_MAX_KEYS = 64
let generatedLeft = 512

function copierFor(shape: Shape): Copier | undefined {
  if (!generates(shape)) return undefined
  const fields = goOrderOf(shape).map((key) => {
    const literal = JSON.stringify(key)
    return `${key === '__proto__' ? `[${literal}]` : literal}:v(o[${literal}])`
  })
  shape.copier = generated<Copier>(['o', 'v'], `return {${fields.join(',')}}`)
  return shape.copier
}

function visitorFor(shape: Shape): Visitor | undefined {
  if (!generates(shape)) return undefined
  const steps = shape.keys.map((key) => {
    const at = `o[${JSON.stringify(key)}]`
    return `x=${at};if(typeof x==="object"?x!==null:x===0){y=v(x);if(y!==x)${at}=y}`
  })
  shape.visitor = generated<Visitor>(['o', 'v'], `let x,y;${steps.join(';')}`)
  return shape.visitor
}

function generates(shape: Shape): boolean {
  shape.uses += 1
  return shape.uses >= GENERATE_AFTER && generatedLeft > 0 && shape.keys.length <= GENERATED_MAX_KEYS
}

/** A function made from `body` (at most 512 in all), or undefined where code generation is disallowed. */
export function generated<F>(params: string[], body: string): F | undefined {
  if (generatedLeft <= 0) return undefined
  try {
    const fn = new Function(...params, body) as F
    generatedLeft -= 1
    return fn
  } catch {
    // Code generation from strings disallowed (--disallow-code-generation-from-strings).
    generatedLeft = 0
    return undefined
  }
}

/** Keys V8 enumerates before all others: canonical integers below 2^32 - 1. */
export function isArrayIndex(key: string): boolean {
  const c = key.charCodeAt(0)
  if (c < 48 || c > 57) return false
  return /^(0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4294967295
}

/**
 * Go's order of map keys: by their UTF-8 bytes. That is the order of UTF-16 code units but for
 * U+E000..U+FFFF, whose UTF-8 comes before that of the characters beyond U+FFFF (surrogate pairs
 * in UTF-16, which sort before them there).
 */
export function compareGoKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return utf8Rank(x) - utf8Rank(y)
  }
  return a.length - b.length
}

const utf8Rank = (unit: number) => (unit < 0xd800 ? unit : unit >= 0xe000 ? unit - 0x800 : unit + 0x2000)

/** Whether `keys` are in Go's order. */
export function goKeysSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i += 1)
    if (compareGoKeys(keys[i - 1] as string, keys[i] as string) > 0) return false
  return true
}
