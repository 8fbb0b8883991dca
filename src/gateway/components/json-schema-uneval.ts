/**
 * santhosh-tekuri/jsonschema v6's uneval (2019-09 and later): the properties and items of a value
 * no keyword has evaluated yet, tracked only where an unevaluated* keyword (of the schema, or of a
 * caller applying it in place) will ask.
 */
import { type Json, typeOf } from './json-schema-values.ts'

export interface Uneval {
  props?: Set<string>
  items?: Set<number>
}

export const isEmpty = (u: Uneval) => (u.props?.size ?? 0) === 0 && (u.items?.size ?? 0) === 0

/** What a successful in-place subschema evaluated counts as evaluated by its caller too. */
export function merge(mine: Uneval, other: Uneval): void {
  for (const name of mine.props ?? []) if (!other.props?.has(name)) mine.props?.delete(name)
  for (const index of mine.items ?? []) if (!other.items?.has(index)) mine.items?.delete(index)
}

/** v6's unevalFrom(): what of `v` the schema leaves for an unevaluated* keyword to check. */
export function unevalFrom(v: Json, sch: unknown, callerNeeds: boolean, draft: number): Uneval {
  if (draft < 2019) return {}
  const s = (typeof sch === 'object' && sch !== null ? sch : {}) as Record<string, unknown>
  if (typeOf(v) === 'object') {
    const all = s.additionalProperties !== undefined
    return !all && (callerNeeds || s.unevaluatedProperties !== undefined)
      ? { props: new Set(Object.keys(v as Record<string, Json>)) }
      : {}
  }
  if (!Array.isArray(v)) return {}
  const [all, evaluated] =
    draft < 2020
      ? [
          Array.isArray(s.items) ? s.additionalItems !== undefined : s.items !== undefined,
          Array.isArray(s.items) ? s.items.length : 0,
        ]
      : [s.items !== undefined, Array.isArray(s.prefixItems) ? s.prefixItems.length : 0]
  if (all || !(callerNeeds || s.unevaluatedItems !== undefined) || evaluated >= v.length) return {}
  return { items: new Set([...v.keys()].slice(evaluated)) }
}
