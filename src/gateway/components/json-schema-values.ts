/** JSON values as santhosh-tekuri/jsonschema v6 types and compares them (numbers as big.Rat). */
import { GoNumber } from '../go-json.ts'
import { equalExact, exactRatio } from './exact-decimal.ts'
import { goRatOfString } from './go-rat-string.ts'

/** A JSON value; a number JavaScript would not hold exactly keeps its text (GoNumber). */
export type Json = null | boolean | number | GoNumber | string | Json[] | { [key: string]: Json }

export type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object'
/** The order v6 lists a schema's types in. */
export const TYPE_ORDER = ['null', 'boolean', 'number', 'integer', 'string', 'array', 'object']

const isNumber = (v: unknown): v is number | GoNumber => typeof v === 'number' || v instanceof GoNumber

export function typeOf(v: Json): JsonType {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (v instanceof GoNumber) return 'number'
  return typeof v as JsonType
}

/**
 * v6's equals(a, b): numbers as exact decimals (1 equals 1.0), objects and arrays deeply. Where `a`
 * is a number and `b` a string, v6 reads the string as a rational too (so 1 equals "1.0", but "1"
 * does not equal 1); `cross` false leaves that out, as v6's hashed duplicates() does.
 */
export function equals(a: Json, b: Json, cross = true): boolean {
  if (isNumber(a)) {
    if (isNumber(b)) return equalExact(a, b)
    return cross && typeof b === 'string' && numberEqualsText(a, b)
  }
  if (isNumber(b)) return false
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => equals(x, b[i] as Json, cross))
  if (a !== null && typeof a === 'object') {
    if (b === null || typeof b !== 'object' || Array.isArray(b)) return false
    const keys = Object.keys(a)
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.hasOwn(b, k) && equals(a[k] as Json, b[k] as Json, cross))
    )
  }
  return a === b
}

function numberEqualsText(n: number | GoNumber, text: string): boolean {
  const rat = goRatOfString(text)
  const exact = exactRatio(n)
  return rat !== undefined && exact !== undefined && exact[0] * rat[1] === rat[0] * exact[1]
}

/** v6's enum: only values of the instance's JSON type are compared (then with equals()). */
export function inEnum(values: Json[], v: Json): boolean {
  const t = typeOf(v)
  return values.some((item) => typeOf(item) === t) && values.some((item) => equals(v, item))
}

/**
 * v6's duplicates(): the first item equal to an earlier one, and the first such earlier one. Up to
 * 20 items each pair is compared; past that v6 compares only items of equal hashes, which keeps
 * numbers and strings apart (and takes linear time, as here).
 */
export function duplicates(arr: Json[]): [number, number] | undefined {
  if (arr.length <= 20) {
    for (let i = 1; i < arr.length; i++)
      for (let j = 0; j < i; j++) if (equals(arr[i] as Json, arr[j] as Json)) return [j, i]
    return undefined
  }
  const buckets = new Map<string, number[]>()
  for (const [i, item] of arr.entries()) {
    const key = hashKey(item)
    const earlier = buckets.get(key)
    if (earlier === undefined) buckets.set(key, [i])
    else {
      for (const j of earlier) if (equals(item, arr[j] as Json, false)) return [j, i]
      earlier.push(i)
    }
  }
  return undefined
}

/** A key equal values share (numbers by their double: equal decimals are one double). */
function hashKey(v: Json): string {
  if (isNumber(v)) return `n${Number(v)}`
  if (typeof v === 'string') return `s${v}`
  if (v === null || typeof v !== 'object') return String(v)
  if (Array.isArray(v)) return `[${v.map(hashKey).join(',')}]`
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${hashKey(v[k] as Json)}`)
    .join(',')}}`
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
const toWellFormed = (s: string) => s.replace(LONE_SURROGATE, '\uFFFD')

/** Strings and names with lone surrogates (`"\ud800"`) as Go's decoder reads them: U+FFFD each. */
export function wellFormed(v: unknown): unknown {
  if (typeof v === 'string') return toWellFormed(v)
  if (Array.isArray(v)) return v.map(wellFormed)
  if (v === null || typeof v !== 'object' || v instanceof GoNumber) return v
  const out: Record<string, unknown> = {}
  // Own keys only, `__proto__` included (a plain assignment would set the prototype instead).
  for (const [name, item] of Object.entries(v))
    Object.defineProperty(out, toWellFormed(name), {
      value: wellFormed(item),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  return out
}
