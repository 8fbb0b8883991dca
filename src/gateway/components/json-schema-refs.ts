/**
 * The `$ref`s the JSON-schema walk follows: JSON pointers into the schema itself and its
 * `$anchor`s (`#name`). Other documents, and any reference in a schema that declares resources of
 * its own (a nested `$id`, which changes what a pointer is relative to) are not: undefined.
 */
type Schema = boolean | Record<string, unknown>

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const withNestedIds = new WeakMap<object, boolean>()

/** The schema a `$ref` names and the JSON-pointer tokens of where it is. */
export function resolveRef(root: Schema, ref: string): { target: Schema; tokens: string[] } | undefined {
  const anchor = /^#([A-Za-z_][-A-Za-z0-9._]*)$/.exec(ref)?.[1]
  if (!ref.startsWith('#') || (ref.length > 1 && ref[1] !== '/' && anchor === undefined)) return undefined
  if (isObject(root)) {
    let nested = withNestedIds.get(root)
    if (nested === undefined) {
      nested = hasNestedId(root, 0)
      withNestedIds.set(root, nested)
    }
    if (nested) return undefined
  }
  if (anchor !== undefined) return anchored(root, anchor, [])
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

/** Keywords whose value is data: no anchor or `$id` in them names a schema. */
const DATA = new Set(['enum', 'const', 'default', 'examples'])

/** The subschema declaring `$anchor` (or `$dynamicAnchor`) `name`, and where it is. */
function anchored(
  node: unknown,
  name: string,
  tokens: string[],
): { target: Schema; tokens: string[] } | undefined {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) {
      const found = anchored(item, name, [...tokens, String(i)])
      if (found) return found
    }
    return undefined
  }
  if (!isObject(node)) return undefined
  if (node.$anchor === name || node.$dynamicAnchor === name) return { target: node, tokens }
  for (const [key, value] of Object.entries(node)) {
    if (DATA.has(key)) continue
    const found = anchored(value, name, [...tokens, key])
    if (found) return found
  }
  return undefined
}

function hasNestedId(node: unknown, depth: number): boolean {
  if (Array.isArray(node)) return node.some((item) => hasNestedId(item, depth + 1))
  if (!isObject(node)) return false
  if (depth > 0 && (typeof node.$id === 'string' || typeof node.id === 'string')) return true
  return Object.entries(node).some(([key, value]) => !DATA.has(key) && hasNestedId(value, depth + 1))
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
