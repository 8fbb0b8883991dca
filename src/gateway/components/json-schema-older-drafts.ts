/**
 * Draft-04 and draft-06 schemas for ajv, which knows neither: the schema rewritten as the draft-07
 * schema that asserts what santhosh-tekuri/jsonschema v6 (KrakenD's library) compiles for the older
 * draft. Draft-04's boolean `exclusiveMinimum`/`exclusiveMaximum` turn `minimum`/`maximum` exclusive;
 * keywords the draft does not have are not asserted (`const`, `contains`, `propertyNames` before
 * draft-06, `if`/`then`/`else` before draft-07), so they are dropped.
 */
import { compiledRefs } from './json-schema-compile-checks.ts'
import { INERT_BESIDE_REF } from './json-schema-refs.ts'
import { duplicates, type Json } from './json-schema-values.ts'

type Schema = Record<string, unknown>

const NOT_IN_DRAFT4 = ['const', 'contains', 'propertyNames', 'if', 'then', 'else']
const NOT_IN_DRAFT6 = ['if', 'then', 'else']

/** Keywords whose value is a schema, an array of schemas, or a map of names to schemas. */
const SCHEMA_VALUED = ['additionalItems', 'additionalProperties', 'not', 'contains', 'propertyNames', 'items']
const SCHEMA_ARRAYS = ['allOf', 'anyOf', 'oneOf', 'items']
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs', 'dependencies']

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v)

export function asDraft07(schema: Schema | boolean, draft: 4 | 6): Schema | boolean {
  if (!isSchema(schema)) return schema
  const out: Schema = {}
  // Own keys only, `__proto__` included (a plain assignment would set the prototype instead).
  const set = (key: string, value: unknown) =>
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  const dropped = draft === 4 ? NOT_IN_DRAFT4 : NOT_IN_DRAFT6
  for (const [key, value] of Object.entries(schema)) {
    if (dropped.includes(key)) continue
    if (SCHEMA_MAPS.includes(key) && isSchema(value))
      set(
        key,
        Object.fromEntries(
          Object.entries(value).map(([name, sub]) => [
            name,
            Array.isArray(sub) ? sub : asDraft07(sub as Schema, draft),
          ]),
        ),
      )
    else if (SCHEMA_ARRAYS.includes(key) && Array.isArray(value))
      set(
        key,
        value.map((sub) => asDraft07(sub as Schema, draft)),
      )
    else if (SCHEMA_VALUED.includes(key)) set(key, asDraft07(value as Schema, draft))
    else set(key, value)
  }
  if (draft === 4) {
    for (const [exclusive, bound] of [
      ['exclusiveMinimum', 'minimum'],
      ['exclusiveMaximum', 'maximum'],
    ] as const) {
      if (typeof out[exclusive] !== 'boolean') continue
      if (out[exclusive] === true && typeof out[bound] === 'number') {
        out[exclusive] = out[bound]
        delete out[bound]
      } else delete out[exclusive]
    }
  }
  return out
}

/** Keywords whose value is data, not a schema: never rewritten. */
const DATA_VALUED = ['enum', 'const', 'default', 'examples', 'required']

/**
 * The schema without what santhosh-tekuri/jsonschema v6 ignores before draft 2019-09. The `$id`s,
 * which ajv would otherwise read as a new base for the `$ref`s below them: draft-04 names a
 * resource with `id` (`$id` is no keyword there), and in draft-04/06/07 an object with `$ref` has
 * its `$id` ignored with every other sibling. Left in, a relative `$ref` resolves elsewhere in ajv
 * than in KrakenD, and a body KrakenD refuses could pass. And the keywords beside a `$ref` (but
 * `const`, and containers of definitions) are renamed, references into them too: v6 compiles them
 * only where a reference points, so one in them that points to nothing must not stop the schema
 * from compiling here.
 */
export function withoutIgnoredIds(
  schema: Schema | boolean,
  draft: 4 | 6 | 7,
  root: Schema | boolean = schema,
): Schema | boolean {
  if (!isSchema(schema)) return schema
  const out: Schema = {}
  const set = (key: string, value: unknown) =>
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  const ignoresId = draft === 4 || Object.hasOwn(schema, '$ref')
  const anyValue = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(anyValue)
      : isSchema(value)
        ? withoutIgnoredIds(value, draft, root)
        : value
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$id' && ignoresId) continue
    if (key === '$ref' && typeof value === 'string') set(key, renamedRef(root, value))
    else if (ignoredBesideRef(schema, key)) set(besideRefName(key), anyValue(value))
    else if (DATA_VALUED.includes(key)) set(key, value)
    else if (SCHEMA_MAPS.includes(key) && isSchema(value))
      set(key, Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, anyValue(sub)])))
    else set(key, anyValue(value))
  }
  return out
}

/** A keyword v6 ignores, beside a `$ref`: renamed for ajv, which would apply it. */
const ignoredBesideRef = (node: Schema, key: string) =>
  typeof node.$ref === 'string' && !INERT_BESIDE_REF.has(key) && key !== 'const'
const besideRefName = (key: string) => `beside-$ref:${key}`

/** A `#/...` reference through renamed keywords, renamed the same way. */
function renamedRef(root: Schema | boolean, ref: string): string {
  if (!ref.startsWith('#/')) return ref
  let node: unknown = root
  const out: string[] = []
  for (const raw of ref.slice(2).split('/')) {
    let token: string
    try {
      token = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~')
    } catch {
      return ref
    }
    const renamed = isSchema(node) && ignoredBesideRef(node, token)
    out.push(
      renamed ? encodeURIComponent(besideRefName(token).replaceAll('~', '~0').replaceAll('/', '~1')) : raw,
    )
    node = Array.isArray(node) ? node[Number(token)] : isSchema(node) ? node[token] : undefined
  }
  return `#/${out.join('/')}`
}

/**
 * What the draft-04/06 meta-schemas refuse and draft-07's (which ajv checks against) takes: an
 * empty `enum` or one with a repeated value; in draft-04 also a boolean schema (only
 * `additionalItems` and `additionalProperties` take a boolean there), a numeric
 * `exclusiveMinimum`/`exclusiveMaximum` or one without its `minimum`/`maximum`, an empty
 * `required`. KrakenD's compile fails on these and it skips the validation. The problem at its
 * JSON pointer, or undefined.
 */
export function olderDraftMetaProblem(schema: unknown, draft: 4 | 6, at = ''): string | undefined {
  if (!isSchema(schema)) return undefined
  const named = `draft-0${draft}`
  if (Array.isArray(schema.enum) && (schema.enum.length === 0 || repeats(schema.enum)))
    return `${at}/enum must list at least one value, none twice, in ${named}`
  if (draft === 4) {
    for (const [exclusive, bound] of [
      ['exclusiveMinimum', 'minimum'],
      ['exclusiveMaximum', 'maximum'],
    ] as const) {
      if (!Object.hasOwn(schema, exclusive)) continue
      if (typeof schema[exclusive] !== 'boolean') return `${at}/${exclusive} must be a boolean in draft-04`
      if (!Object.hasOwn(schema, bound)) return `${at}/${exclusive} needs ${bound} in draft-04`
    }
    if (Array.isArray(schema.required) && schema.required.length === 0)
      return `${at}/required must name at least one property in draft-04`
  }
  const one = (value: unknown, path: string): string | undefined =>
    typeof value === 'boolean' && draft === 4
      ? `${path} is a boolean schema, which draft-04 does not have (write {} or {"not": {}})`
      : olderDraftMetaProblem(value, draft, path)
  const each = (values: unknown[], path: string) => firstOf(values.map((v, i) => one(v, `${path}/${i}`)))
  for (const [key, value] of Object.entries(schema)) {
    const path = `${at}/${key}`
    let found: string | undefined
    if (key === 'not' || (draft === 6 && (key === 'contains' || key === 'propertyNames')))
      found = one(value, path)
    else if (key === 'items') found = Array.isArray(value) ? each(value, path) : one(value, path)
    else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf')
      found = Array.isArray(value) ? each(value, path) : undefined
    else if (key === 'additionalItems' || key === 'additionalProperties')
      found = olderDraftMetaProblem(value, draft, path)
    else if (
      key === 'properties' ||
      key === 'patternProperties' ||
      key === 'definitions' ||
      key === 'dependencies'
    )
      found = isSchema(value)
        ? firstOf(
            Object.entries(value).map(([name, v]) =>
              key === 'dependencies' && Array.isArray(v) ? undefined : one(v, `${path}/${name}`),
            ),
          )
        : undefined
    if (found !== undefined) return found
  }
  return undefined
}

const firstOf = (xs: Array<string | undefined>): string | undefined => xs.find((x) => x !== undefined)

/**
 * olderDraftMetaProblem over the schema and over each local `$ref` target v6 compiles: it checks
 * a target outside the keywords it knows (under `$defs` in draft-04/06, say) against the
 * meta-schema when it compiles the reference.
 */
export function olderDraftProblem(schema: Schema, draft: 4 | 6): string | undefined {
  const problem = olderDraftMetaProblem(schema, draft)
  if (problem !== undefined) return problem
  for (const ref of compiledRefs(schema, draft)) {
    const target = atPointer(schema, ref)
    if (typeof target === 'boolean' && draft === 4)
      return `${ref} (a $ref target) is a boolean schema, which draft-04 does not have (write {} or {"not": {}})`
    const found = olderDraftMetaProblem(target, draft, ref)
    if (found !== undefined) return found
  }
  return undefined
}

function atPointer(root: unknown, pointer: string): unknown {
  let node = root
  for (const raw of pointer.split('/').slice(1)) {
    let token: string
    try {
      token = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~')
    } catch {
      return undefined
    }
    if (Array.isArray(node)) node = node[Number(token)]
    else if (isSchema(node) && Object.hasOwn(node, token)) node = node[token]
    else return undefined
  }
  return node
}

/** Whether a list repeats a value, as v6's uniqueItems finds (its meta-schema's, for `enum`). */
const repeats = (values: unknown[]) => duplicates(values as Json[]) !== undefined
