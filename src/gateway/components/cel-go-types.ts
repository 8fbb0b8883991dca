/**
 * cel-go's (v0.29) checker types and their unification (checker/types.go, mapping.go), as its
 * overload resolution uses them. A type parameter left free (an empty literal's element, the value
 * of a dyn indexed by a uint or string key) binds to the first overload that takes it, which
 * narrows or refuses what cel-js (typing those as dyn) would take: cel-go-check.ts walks the AST.
 */

export type GoType =
  | { kind: 'dyn' }
  | { kind: 'error' }
  | { kind: 'prim'; name: string }
  | { kind: 'list'; elem: GoType }
  | { kind: 'map'; key: GoType; value: GoType }
  | { kind: 'param'; id: number }

export const DYN: GoType = { kind: 'dyn' }
export const ERROR: GoType = { kind: 'error' }
const prims = new Map<string, GoType>()
export function prim(name: string): GoType {
  let type = prims.get(name)
  if (type === undefined) {
    type = { kind: 'prim', name }
    prims.set(name, type)
  }
  return type
}
export const listOf = (elem: GoType): GoType => ({ kind: 'list', elem })
export const mapOf = (key: GoType, value: GoType): GoType => ({ kind: 'map', key, value })

/** Substitutions of type parameters; copied before an overload is tried, kept when it fits. */
export type Mapping = Map<number, GoType>

const isDynOrError = (t: GoType) => t.kind === 'dyn' || t.kind === 'error'

export function exact(a: GoType, b: GoType): boolean {
  if (a.kind !== b.kind) return false
  switch (a.kind) {
    case 'prim':
      return a.name === (b as typeof a).name
    case 'param':
      return a.id === (b as typeof a).id
    case 'list':
      return exact(a.elem, (b as typeof a).elem)
    case 'map':
      return exact(a.key, (b as typeof a).key) && exact(a.value, (b as typeof a).value)
    default:
      return true
  }
}

export function substitute(m: Mapping, t: GoType, typeParamToDyn = false): GoType {
  switch (t.kind) {
    case 'param': {
      const sub = m.get(t.id)
      if (sub !== undefined) return substitute(m, sub, typeParamToDyn)
      return typeParamToDyn ? DYN : t
    }
    case 'list':
      return listOf(substitute(m, t.elem, typeParamToDyn))
    case 'map':
      return mapOf(substitute(m, t.key, typeParamToDyn), substitute(m, t.value, typeParamToDyn))
    default:
      return t
  }
}

/** isAssignable on a copy of the mapping, which replaces the original only when it holds. */
export function assignable(m: Mapping, from: GoType[], to: GoType[]): Mapping | undefined {
  const copy = new Map(m)
  if (from.length !== to.length) return undefined
  for (const [i, t] of from.entries()) if (!internalIsAssignable(copy, t, to[i] as GoType)) return undefined
  return copy
}

function internalIsAssignable(m: Mapping, t1: GoType, t2: GoType): boolean {
  if (t2.kind === 'param') {
    const [valid, hasSub] = isValidTypeSubstitution(m, t1, t2)
    if (valid) return true
    if (hasSub) return false
  }
  if (t1.kind === 'param') return isValidTypeSubstitution(m, t2, t1)[0]
  if (isDynOrError(t1) || isDynOrError(t2)) return true
  if (t1.kind === 'prim' && t1.name === 'null_type') return nullable(t2)
  if (t2.kind === 'prim' && t2.name === 'null_type') return nullable(t1)
  if (t1.kind === 'prim') return t2.kind === 'prim' && t1.name === t2.name
  if (t1.kind === 'list') return t2.kind === 'list' && internalIsAssignable(m, t1.elem, t2.elem)
  if (t1.kind === 'map')
    return (
      t2.kind === 'map' &&
      internalIsAssignable(m, t1.key, t2.key) &&
      internalIsAssignable(m, t1.value, t2.value)
    )
  return false
}

/** cel-go's legacy nullness: null is assignable to itself, timestamps and durations. */
const NULLABLE = new Set(['null_type', 'google.protobuf.Timestamp', 'google.protobuf.Duration'])
const nullable = (t: GoType) => t.kind === 'prim' && NULLABLE.has(t.name)

function isValidTypeSubstitution(m: Mapping, t1: GoType, t2: GoType & { kind: 'param' }): [boolean, boolean] {
  if (exact(t1, t2)) return [true, true]
  const t2Sub = m.get(t2.id)
  if (t2Sub !== undefined) {
    if (exact(t1, t2Sub)) return [true, true]
    if (internalIsAssignable(m, t1, t2Sub)) {
      const general = mostGeneral(t1, t2Sub)
      if (notReferencedIn(m, t2, general)) m.set(t2.id, general)
      return [true, true]
    }
    return [false, true]
  }
  if (notReferencedIn(m, t2, t1)) {
    m.set(t2.id, t1)
    return [true, false]
  }
  return [false, false]
}

function notReferencedIn(m: Mapping, t: GoType, within: GoType): boolean {
  if (exact(t, within)) return false
  switch (within.kind) {
    case 'param': {
      const sub = m.get(within.id)
      return sub === undefined ? true : notReferencedIn(m, t, sub)
    }
    case 'list':
      return notReferencedIn(m, t, within.elem)
    case 'map':
      return notReferencedIn(m, t, within.key) && notReferencedIn(m, t, within.value)
    default:
      return true
  }
}

export function mostGeneral(a: GoType, b: GoType): GoType {
  return lessSpecific(a, b) ? a : b
}

function lessSpecific(a: GoType, b: GoType): boolean {
  if (a.kind === 'dyn' || a.kind === 'param') return true
  if (b.kind === 'dyn' || b.kind === 'param') return false
  if (a.kind !== b.kind) return false
  if (a.kind === 'list') return lessSpecific(a.elem, (b as typeof a).elem)
  if (a.kind === 'map')
    return lessSpecific(a.key, (b as typeof a).key) && lessSpecific(a.value, (b as typeof a).value)
  return exact(a, b)
}

/** cel-go's way of writing a type in an error message. */
export function typeText(t: GoType): string {
  switch (t.kind) {
    case 'prim':
      return t.name
    case 'list':
      return `list(${typeText(t.elem)})`
    case 'map':
      return `map(${typeText(t.key)}, ${typeText(t.value)})`
    default:
      return 'dyn'
  }
}

/** A cel-js checked type name (`map<string, list<string>>`) as a cel-go type; dyn when unknown. */
export function fromCelJs(name: string | undefined): GoType {
  if (name === undefined) return DYN
  const text = name.trim()
  const open = text.indexOf('<')
  if (open === -1) {
    const plain = CEL_JS_PRIMS[text]
    return plain === undefined ? DYN : prim(plain)
  }
  const head = text.slice(0, open)
  const params = splitParams(text.slice(open + 1, -1))
  if (head === 'list' && params.length === 1) return listOf(fromCelJs(params[0]))
  if (head === 'map' && params.length === 2) return mapOf(fromCelJs(params[0]), fromCelJs(params[1]))
  return DYN
}

const CEL_JS_PRIMS: Record<string, string> = {
  int: 'int',
  uint: 'uint',
  double: 'double',
  string: 'string',
  bool: 'bool',
  bytes: 'bytes',
  null: 'null_type',
  'google.protobuf.Timestamp': 'google.protobuf.Timestamp',
  'google.protobuf.Duration': 'google.protobuf.Duration',
}

function splitParams(text: string): string[] {
  const out: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '<') depth += 1
    else if (text[i] === '>') depth -= 1
    else if (text[i] === ',' && depth === 0) {
      out.push(text.slice(start, i))
      start = i + 1
    }
  }
  out.push(text.slice(start))
  return out
}
