/**
 * Schemas ajv reads otherwise than santhosh-tekuri/jsonschema v6 (KrakenD's library), whose bodies
 * the schema walk judges instead of ajv. Decided once, when the endpoint is built.
 */
import { goRatOfString } from './go-rat-string.ts'
import { INERT_BESIDE_REF, resolveRef } from './json-schema-refs.ts'

type Draft = 4 | 6 | 7 | 2019 | 2020
type Schema = boolean | Record<string, unknown>

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

export function walkDecides(schema: unknown, draft: Draft): boolean {
  // ajv counts `contains` as having evaluated every item: it let through items v6 refuses.
  if (draft >= 2019 && some(schema, (node) => 'unevaluatedProperties' in node || 'unevaluatedItems' in node))
    return true
  // Before 2019-09 v6 ignores most keywords beside a `$ref`; ajv applies them (a `oneOf` branch
  // `{"$ref": "#", "type": "integer"}` then fails where v6 counts it as matching).
  if (
    draft < 2019 &&
    some(
      schema,
      (node) => typeof node.$ref === 'string' && Object.keys(node).some((k) => !INERT_BESIDE_REF.has(k)),
    )
  )
    return true
  // ajv drops a `__proto__` entry of `properties` (and of the other maps of names): its schema
  // would never be applied.
  if (some(schema, (node) => Object.hasOwn(node, '__proto__'))) return true
  // ajv 8.20's `contains` inside an item loop keeps the match of an earlier item: with
  // `{"items": {"contains": {"type": "object"}}}` it took `[[{}], []]`.
  if (draft >= 6 && some(schema, (node) => Object.hasOwn(node, 'contains'))) return true
  // ajv 8.20 checks required names where it collects no errors (`if`, `not`) as `(data[n] === undefined)
  // && (missing = n)`: for the name "" that is falsy, so a missing "" counted as present.
  if (some(schema, namesEmptyRequired)) return true
  // A schema applied again to the same value: ajv recurses without end (a 500), v6 refuses the body.
  if (inPlaceCycle(schema, draft)) return true
  return false
}

/** Whether `node` requires the property "" (required, or an array of dependencies / dependentRequired). */
function namesEmptyRequired(node: Record<string, unknown>): boolean {
  const hasEmpty = (names: unknown) => Array.isArray(names) && names.includes('')
  if (hasEmpty(node.required)) return true
  for (const key of ['dependencies', 'dependentRequired'])
    if (isObject(node[key]) && Object.values(node[key]).some(hasEmpty)) return true
  return false
}

/** Whether some schema reaches itself through keywords applied to the same value. */
function inPlaceCycle(root: unknown, draft: Draft): boolean {
  const state = new Map<object, 'open' | 'done'>()
  const inPlace = (node: Record<string, unknown>): unknown[] => {
    const ref = typeof node.$ref === 'string' ? resolveRef(root as Schema, node.$ref)?.target : undefined
    if (draft < 2019 && typeof node.$ref === 'string') return [ref]
    const out: unknown[] = [ref, node.not]
    for (const key of ['allOf', 'anyOf', 'oneOf'])
      if (Array.isArray(node[key])) out.push(...(node[key] as unknown[]))
    if (draft >= 7) out.push(node.if, node.then, node.else)
    for (const key of draft >= 2019 ? ['dependencies', 'dependentSchemas'] : ['dependencies'])
      if (isObject(node[key])) out.push(...Object.values(node[key]))
    return out
  }
  const cycles = (node: unknown): boolean => {
    if (!isObject(node)) return false
    const seen = state.get(node)
    if (seen !== undefined) return seen === 'open'
    state.set(node, 'open')
    const found = inPlace(node).some(cycles)
    state.set(node, 'done')
    return found
  }
  return some(root, cycles)
}

/** Whether `test` holds for any object anywhere in the document. */
function some(node: unknown, test: (node: Record<string, unknown>) => boolean): boolean {
  if (Array.isArray(node)) return node.some((item) => some(item, test))
  if (!isObject(node)) return false
  return test(node) || Object.values(node).some((value) => some(value, test))
}

const SCALARS = new Set(['string', 'number', 'integer', 'boolean', 'null'])
const container = (v: unknown) => typeof v === 'object' && v !== null
const numeric = (v: unknown) => typeof v === 'string' && goRatOfString(v) !== undefined

/**
 * Which equality keywords ajv must take from v6 (its deep-equal differs on objects with an own
 * `constructor` member, and v6 takes a number for equal to a numeric string): `const`/`enum` with
 * an object, array or numeric string; `uniqueItems` unless its items are all of one scalar type.
 */
export function equalityNeeds(schema: unknown): { values: boolean; unique: boolean } {
  const values = some(schema, (node) => {
    const listed = [
      ...(Object.hasOwn(node, 'const') ? [node.const] : []),
      ...(Array.isArray(node.enum) ? node.enum : []),
    ]
    return listed.some((v) => container(v) || numeric(v))
  })
  const unique = some(
    schema,
    (node) =>
      node.uniqueItems === true &&
      !(
        isObject(node.items) &&
        typeof node.items.type === 'string' &&
        SCALARS.has(node.items.type) &&
        node.prefixItems === undefined
      ),
  )
  return { values, unique }
}
