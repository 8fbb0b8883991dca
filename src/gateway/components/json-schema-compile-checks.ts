/**
 * What santhosh-tekuri/jsonschema v6 refuses when it compiles a schema and ajv does not see,
 * because ajv skips subschemas it finds always valid (an `anyOf` after a `{}` branch, a
 * `patternProperties` entry of `true`) or never reached (`$defs` nothing refers to): a pattern Go
 * cannot compile anywhere the draft's meta-schema looks (v6 checks the schema against it, with
 * `format: regex`), and a `#/...` reference to nothing in a subschema v6 compiles. KrakenD logs such
 * a schema and skips the validation. The problem at its JSON pointer, or undefined.
 */
import { compileGoRegExp, GoRegExpError } from './go-regexp.ts'
import { resolveRef } from './json-schema-refs.ts'

type Draft = 4 | 6 | 7 | 2019 | 2020
type Node = Record<string, unknown>

const isObject = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v)
const token = (t: string) => t.replaceAll('~', '~0').replaceAll('/', '~1')

/** The subschemas of `node` with their pointer steps: `meta` where the meta-schema looks, else where v6 compiles. */
function children(node: Node, draft: Draft, meta: boolean): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = []
  const one = (key: string) => {
    if (Object.hasOwn(node, key)) out.push([`/${key}`, node[key]])
  }
  const list = (key: string) => {
    const value = node[key]
    if (Array.isArray(value)) for (const [i, item] of value.entries()) out.push([`/${key}/${i}`, item])
  }
  const map = (key: string) => {
    const value = node[key]
    if (isObject(value))
      for (const [name, item] of Object.entries(value))
        if (!Array.isArray(item)) out.push([`/${key}/${token(name)}`, item])
  }
  // v6 compiles `then` and `else` only beside an `if`, and not the branch a boolean `if` never takes.
  const conditional = () => {
    if (meta) for (const key of ['if', 'then', 'else']) one(key)
    else if (Object.hasOwn(node, 'if')) {
      one('if')
      if (node.if !== false) one('then')
      if (node.if !== true) one('else')
    }
  }
  if (!meta && draft < 2019 && typeof node.$ref === 'string') {
    // v6 compiles nothing else of draft-04's keywords beside a $ref, but the later drafts' ones.
    if (draft >= 6) for (const key of ['contains', 'propertyNames']) one(key)
    if (draft >= 7) conditional()
    return out
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) list(key)
  for (const key of ['not', 'additionalProperties']) one(key)
  for (const key of ['properties', 'patternProperties', 'dependencies']) map(key)
  if (draft < 2020 || meta) {
    if (Array.isArray(node.items)) list('items')
    else one('items')
    if (Array.isArray(node.items) || (meta && draft < 2020)) one('additionalItems')
  }
  if (draft >= 2020) {
    list('prefixItems')
    one('items')
  }
  if (draft >= 6) for (const key of ['contains', 'propertyNames']) one(key)
  if (draft >= 7) conditional()
  if (draft >= 2019) {
    for (const key of ['unevaluatedItems', 'unevaluatedProperties', 'contentSchema']) one(key)
    map('dependentSchemas')
  }
  if (meta) {
    map('definitions')
    if (draft >= 2019) map('$defs')
  }
  return out
}

/** Every subschema under `root` (and under each `#/...` target) the visitor reaches, with its pointer. */
function visitAll(
  root: unknown,
  draft: Draft,
  meta: boolean,
  visit: (node: Node, at: string) => string | undefined,
  start: unknown = root,
  startAt = '',
) {
  const seen = new Set<object>()
  const walk = (node: unknown, at: string): string | undefined => {
    if (!isObject(node) || seen.has(node)) return undefined
    seen.add(node)
    const found = visit(node, at)
    if (found !== undefined) return found
    // The meta-schema does not follow references; v6 compiles a target where it compiles the $ref.
    if (!meta && typeof node.$ref === 'string') {
      const target = resolves(root as Node, node.$ref) ? resolveRef(root as Node, node.$ref) : undefined
      const pointer = node.$ref.slice(1)
      const inTarget = target === undefined ? undefined : walk(target.target, pointer)
      if (inTarget !== undefined) return inTarget
    }
    for (const [step, child] of children(node, draft, meta)) {
      const inChild = walk(child, at + step)
      if (inChild !== undefined) return inChild
    }
    return undefined
  }
  return walk(start, startAt)
}

function goPatternProblem(pattern: string, at: string): string | undefined {
  try {
    compileGoRegExp(pattern)
    return undefined
  } catch (error) {
    if (error instanceof GoRegExpError && error.goAccepts) return undefined
    return `${at}: ${JSON.stringify(pattern)} is not a Go regular expression: ${(error as Error).message}`
  }
}

export function compileProblem(schema: unknown, draft: Draft): string | undefined {
  // The meta-schemas check `pattern`, and from draft-07 on the names of `patternProperties`.
  const metaPattern = visitAll(schema, draft, true, (node, at) => patternProblem(node, at, draft >= 7))
  if (metaPattern !== undefined) return metaPattern
  // v6 compiles no pattern beside a `$ref` before 2019-09, and checks what a $ref it compiles
  // points to against the meta-schema.
  const metaAt = (node: unknown, at: string) =>
    visitAll(schema, draft, true, (n, a) => patternProblem(n, a, draft >= 7), node, at)
  const compiled = visitAll(schema, draft, false, (node, at) => {
    if (typeof node.$ref === 'string' && resolves(schema as Node, node.$ref)) {
      const inTarget = metaAt(resolveRef(schema as Node, node.$ref)?.target, node.$ref.slice(1))
      if (inTarget !== undefined) return inTarget
    }
    return draft < 2019 && typeof node.$ref === 'string' ? undefined : patternProblem(node, at, true)
  })
  if (compiled !== undefined) return compiled
  if (!isObject(schema) || hasIds(schema)) return undefined
  return visitAll(schema, draft, false, (node, at) =>
    typeof node.$ref === 'string' && /^#(\/|$)/.test(node.$ref) && !resolves(schema, node.$ref)
      ? `${at}/$ref: ${JSON.stringify(node.$ref)} points to nothing in the schema`
      : undefined,
  )
}

/** The `#/...` references v6 compiles (those in subschemas it compiles), as JSON pointers. */
export function compiledRefs(schema: unknown, draft: Draft): string[] {
  const out = new Set<string>()
  visitAll(schema, draft, false, (node) => {
    if (typeof node.$ref === 'string' && node.$ref.startsWith('#/')) out.add(node.$ref.slice(1))
    return undefined
  })
  return [...out]
}

function patternProblem(node: Node, at: string, names: boolean): string | undefined {
  if (typeof node.pattern === 'string') {
    const problem = goPatternProblem(node.pattern, `${at}/pattern`)
    if (problem !== undefined) return problem
  }
  if (names && isObject(node.patternProperties))
    for (const name of Object.keys(node.patternProperties)) {
      const problem = goPatternProblem(name, `${at}/patternProperties`)
      if (problem !== undefined) return problem
    }
  return undefined
}

function resolves(schema: Node, ref: string): boolean {
  try {
    return resolveRef(schema, ref) !== undefined
  } catch {
    return false
  }
}

/** `$id`/`id`/`$anchor` anywhere: pointers may be relative to another base; ajv resolves those. */
function hasIds(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasIds)
  if (!isObject(node)) return false
  if (typeof node.$id === 'string' || typeof node.id === 'string' || typeof node.$anchor === 'string')
    return true
  return Object.values(node).some(hasIds)
}

const DATA_VALUED = new Set(['enum', 'const', 'default', 'examples'])

/**
 * The schema for ajv without the branch a boolean `if` never takes (`then` beside `"if": false`,
 * `else` beside `"if": true`): v6 compiles neither it nor the references in it, ajv compiles both.
 */
export function withoutDeadBranches(schema: unknown): unknown {
  const hasDead = (node: unknown): boolean =>
    Array.isArray(node)
      ? node.some(hasDead)
      : isObject(node) && (typeof node.if === 'boolean' || Object.values(node).some(hasDead))
  if (!hasDead(schema)) return schema
  const copy = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(copy)
    if (!isObject(node)) return node
    const out: Node = {}
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'then' && node.if === false) || (key === 'else' && node.if === true)) continue
      // Own keys only, `__proto__` included (a plain assignment would set the prototype instead).
      Object.defineProperty(out, key, {
        value: DATA_VALUED.has(key) ? value : copy(value),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
    return out
  }
  return copy(schema)
}
