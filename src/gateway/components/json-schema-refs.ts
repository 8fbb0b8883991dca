/**
 * The `$ref`s the JSON-schema walk follows: JSON pointers into the schema itself. Anchors, other
 * documents, and any reference in a schema that declares resources of its own (a nested `$id`,
 * which changes what a pointer is relative to) are not: undefined.
 */
type Schema = boolean | Record<string, unknown>

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const withNestedIds = new WeakMap<object, boolean>()

/** The schema a `$ref` names and the JSON-pointer tokens of where it is. */
export function resolveRef(root: Schema, ref: string): { target: Schema; tokens: string[] } | undefined {
  if (!ref.startsWith('#') || (ref.length > 1 && ref[1] !== '/')) return undefined
  if (isObject(root)) {
    let nested = withNestedIds.get(root)
    if (nested === undefined) {
      nested = hasNestedId(root, 0)
      withNestedIds.set(root, nested)
    }
    if (nested) return undefined
  }
  let node: unknown = root
  const tokens: string[] = []
  for (const raw of ref.length > 1 ? ref.slice(2).split('/') : []) {
    const token = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~')
    if (Array.isArray(node)) node = node[Number(token)]
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token]
    else return undefined
    tokens.push(token)
  }
  return typeof node === 'boolean' || isObject(node) ? { target: node, tokens } : undefined
}

function hasNestedId(node: unknown, depth: number): boolean {
  if (Array.isArray(node)) return node.some((item) => hasNestedId(item, depth + 1))
  if (!isObject(node)) return false
  if (
    depth > 0 &&
    (typeof node.$id === 'string' || typeof node.id === 'string' || typeof node.$anchor === 'string')
  )
    return true
  return Object.values(node).some((value) => hasNestedId(value, depth + 1))
}

/** Keys beside a `$ref` that assert nothing, whether read or not. */
export const INERT_BESIDE_REF = new Set([
  '$ref',
  '$id',
  'id',
  '$schema',
  '$comment',
  'title',
  'description',
  'default',
  'examples',
  'definitions',
  '$defs',
])

const keptBesideRef = new WeakMap<object, Record<string, unknown>>()

/**
 * What v6 applies of a draft-06/07 schema with a `$ref`: the reference, and `const` (compiled with
 * draft-06's keywords after draft-04's early return, and checked before the reference).
 */
export function besideRef(s: Record<string, unknown>): Record<string, unknown> {
  let kept = keptBesideRef.get(s)
  if (kept === undefined) {
    kept = Object.hasOwn(s, 'const') ? { $ref: s.$ref, const: s.const } : { $ref: s.$ref }
    keptBesideRef.set(s, kept)
  }
  return kept
}
