/**
 * cel-go's equality and map keys where cel-js differs (cel-go v0.29, common/types):
 * - Equality is heterogeneous: int, uint and double compare by value across types wherever
 *   values meet at run time (`1u in dyn([1, 2])`, `dyn([1]) == [1u]`, a JWT claim's 2.0 and 2),
 *   NaN equals nothing, values of other different types are not equal. cel-js compared uint with
 *   nothing but uint inside lists and maps.
 * - A map literal is a Go map keyed by typed values: `{1: 'a', 1u: 'b', 1.0: 'c'}` has three
 *   keys and `{true: 1}` no key 'true'. cel-js builds a JavaScript object, so every key became a
 *   string (`{1: 'a', 1u: 'b', 1.0: 'c'}` had one key, `'true' in {true: 1}` held). A lookup finds
 *   the key of the same type, else an int or uint of the same value (a double key only by a
 *   double): cel-go's refValMapAccessor.Find.
 * - A JSON map (the request's and token's data) has string keys only: a lookup of another type
 *   finds nothing (`1 in JWT.m` is false where JWT.m has the key "1").
 * - A list is indexed by an int, a uint or a double without fraction (`resp_data.c[0u]`).
 * - Bytes are ordered (`b'a' < b'b'`).
 * - Strings are ordered by their UTF-8 bytes (cel-js: UTF-16 code units, so '\U0001F600' came
 *   before '\uff61'), numbers of different types as compare.go orders them: an int or uint meets a
 *   double as a double (`dyn(9007199254740993) > 9007199254740992.0` is false).
 */
import type { Environment } from '@marcbachmann/cel-js'
import { compareGoText } from '../byte-text.ts'
import { celLibrary } from '../libraries.ts'
import { durationNanos, timestampNanos } from './cel-go-instants.ts'

const MAX_INT = 2 ** 63
const MAX_UINT = 2 ** 64
const MAX_INT_BIG = 2n ** 63n - 1n

type Uint = { valueOf(): bigint }
const isUint = (v: unknown): v is Uint => v instanceof celLibrary().UnsignedInt

/** A number's value as cel-go compares it, or undefined for other values. */
function numberKind(v: unknown): 'int' | 'uint' | 'double' | undefined {
  if (typeof v === 'bigint') return 'int'
  if (typeof v === 'number') return 'double'
  return isUint(v) ? 'uint' : undefined
}

/** cel-go's Equal of two numbers (compare.go: an int or uint meets a double as a double). */
function numbersEqual(a: unknown, b: unknown): boolean {
  const [x, y] = [
    typeof a === 'number' ? a : (a as bigint | Uint).valueOf(),
    typeof b === 'number' ? b : (b as bigint | Uint).valueOf(),
  ]
  if (typeof x === 'bigint' && typeof y === 'bigint') return x === y
  const [d, other, unsigned] =
    typeof x === 'number' ? [x, y as bigint | number, isUint(b)] : [y as number, x, isUint(a)]
  if (typeof other === 'number') return d === other
  if (Number.isNaN(d) || d > (unsigned ? MAX_UINT : MAX_INT) || (unsigned && d < 0) || d < -MAX_INT)
    return false
  return d === Number(other)
}

/**
 * cel-go's Compare of two strings or two numbers (compare.go), below, at or above 0; undefined for
 * other values (NaN is refused before).
 */
export function goCompare(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'string' && typeof b === 'string') return compareGoText(a, b)
  const [kindA, kindB] = [numberKind(a), numberKind(b)]
  if (kindA === undefined || kindB === undefined) return undefined
  const x = typeof a === 'number' ? a : (a as bigint | Uint).valueOf()
  const y = typeof b === 'number' ? b : (b as bigint | Uint).valueOf()
  if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? -1 : x > y ? 1 : 0
  if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : x > y ? 1 : 0
  return typeof x === 'number'
    ? compareDoubleInteger(x, y as bigint, kindB)
    : -compareDoubleInteger(y as number, x as bigint, kindA)
}

/** compareDoubleInt / compareDoubleUint: beyond the integer's range by its bounds, else as doubles. */
function compareDoubleInteger(d: number, n: bigint, kind: 'int' | 'uint' | 'double'): number {
  if (kind === 'uint' ? d < 0 : d < -MAX_INT) return -1
  if (d > (kind === 'uint' ? MAX_UINT : MAX_INT)) return 1
  const other = Number(n)
  return d < other ? -1 : d > other ? 1 : 0
}

const isPlainMap = (v: object) => v.constructor === Object || v.constructor === undefined

/** A map as JSON data arrives (a plain object, string keys only). */
export const isJsonMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && isPlainMap(v)

/** cel-go's types.Equal. */
export function goEqual(a: unknown, b: unknown): boolean {
  if (a === b) return typeof a !== 'number' || !Number.isNaN(a)
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object')
    return numberKind(a) !== undefined && numberKind(b) !== undefined && numbersEqual(a, b)
  if (isUint(a) || isUint(b))
    return numberKind(a) !== undefined && numberKind(b) !== undefined && numbersEqual(a, b)
  if (isList(a) || isList(b)) return isList(a) && isList(b) && listsEqual(a, b)
  if (isMap(a) || isMap(b)) return isMap(a) && isMap(b) && mapsEqual(a, b)
  if (a instanceof Uint8Array || b instanceof Uint8Array)
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0
  if (a instanceof Date || b instanceof Date)
    return a instanceof Date && b instanceof Date && timestampNanos(a) === timestampNanos(b)
  if (a.constructor !== b.constructor) return false
  if (a instanceof celLibrary().Duration) return durationNanos(a) === durationNanos(b as typeof a)
  // Types (`type(x) == int`) and other values cel-js keeps one object for.
  return String(a) === String(b)
}

const isList = (v: object): v is unknown[] | Set<unknown> => Array.isArray(v) || v instanceof Set
const isMap = (v: object): v is Map<unknown, unknown> | Record<string, unknown> =>
  v instanceof Map || isPlainMap(v)

function listsEqual(a: unknown[] | Set<unknown>, b: unknown[] | Set<unknown>): boolean {
  const [x, y] = [[...a], [...b]]
  return x.length === y.length && x.every((value, i) => goEqual(value, y[i]))
}

function mapsEqual(
  a: Map<unknown, unknown> | Record<string, unknown>,
  b: Map<unknown, unknown> | Record<string, unknown>,
): boolean {
  const entries = a instanceof Map ? [...a] : Object.entries(a)
  if (entries.length !== (b instanceof Map ? b.size : Object.keys(b).length)) return false
  for (const [key, value] of entries) {
    const other = goFind(b, key)
    if (other === undefined || !goEqual(value, other)) return false
  }
  return true
}

/** cel-go's `x in list`. */
export function goListContains(value: unknown, list: unknown[] | Set<unknown>): boolean {
  for (const item of list) if (goEqual(value, item)) return true
  return false
}

const KEYS = Symbol('cel-go map keys')
type GoMap = Map<unknown, unknown> & { [KEYS]: Map<string, unknown> }

/** The identity of a key in a Go map keyed by CEL values, or undefined for a pointer key. */
function keyId(key: unknown): string | undefined {
  switch (typeof key) {
    case 'bigint':
      return `i${key}`
    case 'number':
      return Number.isNaN(key) ? undefined : `d${key === 0 ? 0 : key}`
    case 'string':
      return `s${key}`
    case 'boolean':
      return `b${key}`
  }
  if (key === null) return 'n'
  if (isUint(key)) return `u${key.valueOf()}`
  if (key instanceof Uint8Array) throw new Error('hash of unhashable type types.Bytes')
  return undefined
}

/** The value under `key` in a CEL map, as cel-go finds it; undefined when absent. */
export function goFind(map: Map<unknown, unknown> | Record<string, unknown>, key: unknown): unknown {
  if (!(map instanceof Map)) return typeof key === 'string' && Object.hasOwn(map, key) ? map[key] : undefined
  const keys = (map as GoMap)[KEYS]
  if (keys === undefined) return Map.prototype.get.call(map, key)
  const exact = lookup(map as GoMap, keyId(key), key)
  if (exact !== undefined) return exact
  if (typeof key === 'number') {
    if (!Number.isInteger(key)) return undefined
    if (key > -MAX_INT && key < MAX_INT) {
      const asInt = lookup(map as GoMap, `i${BigInt(key)}`, undefined)
      if (asInt !== undefined) return asInt
    }
    return key >= 0 && key < MAX_UINT ? lookup(map as GoMap, `u${BigInt(key)}`, undefined) : undefined
  }
  if (typeof key === 'bigint') return key >= 0n ? lookup(map as GoMap, `u${key}`, undefined) : undefined
  if (isUint(key) && key.valueOf() <= MAX_INT_BIG) return lookup(map as GoMap, `i${key.valueOf()}`, undefined)
  return undefined
}

function lookup(map: GoMap, id: string | undefined, key: unknown): unknown {
  if (id === undefined) return Map.prototype.get.call(map, key)
  const stored = map[KEYS].get(id)
  return stored === undefined && !map[KEYS].has(id) ? undefined : Map.prototype.get.call(map, stored)
}

/** A map literal's value: entries in order, a later equal key replacing the value. */
export function goMapOf(entries: Array<[unknown, unknown]>): Map<unknown, unknown> {
  const map = new Map() as GoMap
  map[KEYS] = new Map()
  for (const [key, value] of entries) {
    const id = keyId(key)
    if (id === undefined) {
      map.set(key, value)
      continue
    }
    const stored = map[KEYS].has(id) ? map[KEYS].get(id) : key
    map[KEYS].set(id, stored)
    map.set(stored, value)
  }
  // cel-js looks keys up with get/has; its type checks want the constructor to be Map.
  map.get = (key: unknown) => goFind(map, key)
  map.has = (key: unknown) => goFind(map, key) !== undefined
  return map
}

/** cel-go's list index: an int, a uint, or a double without fraction; else undefined (unchanged). */
export function goListIndex(index: unknown): unknown {
  if (isUint(index)) return index.valueOf()
  return index
}

/** cel-go orders bytes as Go's bytes.Compare (`b'a' < b'b'`); cel-js has no such overload. */
export function withBytesOrdering(env: Environment): Environment {
  for (const op of ['<', '<=', '>', '>='] as const)
    env.registerOperator(`bytes ${op} bytes`, (a: Uint8Array, b: Uint8Array) =>
      BYTES_ORDER[op](Buffer.compare(a, b)),
    )
  return env
}

const BYTES_ORDER = {
  '<': (c: number) => c < 0,
  '<=': (c: number) => c <= 0,
  '>': (c: number) => c > 0,
  '>=': (c: number) => c >= 0,
}
