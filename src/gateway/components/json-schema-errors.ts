/**
 * The text KrakenD returns (`router.return_error_msg`) for a body its JSON schema refuses:
 * santhosh-tekuri/jsonschema v6's ValidationError.Error() without its first line, as
 * krakend-jsonschema cuts it. ajv decides whether a body is valid (but for numbers a double cannot
 * hold, which only this walk compares exactly); when it is not, this walks the schema and the body
 * as v6's validator does (its keyword order, its early returns on type, const, enum and format, a
 * "validation failed" group where one location has several errors, `$ref` and the combinators as
 * wrappers) and words each error as v6's English printer does (golang.org/x/text v0.37, the one
 * KrakenD CE 2.13.8 links: `1,234`, `1×10⁰⁶`). Go iterates an object's properties in random order, so where KrakenD lists
 * several property errors its own order varies; here they come in the body's order.
 */

import type { GoNumber } from '../go-json.ts'
import { isExactInteger } from './exact-decimal.ts'
import { compileGoRegExp } from './go-regexp.ts'
import { display, GROUP, leaf, push, type SchemaError } from './json-schema-error-tree.ts'
import { formatError, GO_FORMATS } from './json-schema-formats.ts'
import { besideRef, resolveRef } from './json-schema-refs.ts'
import { numberErrors, stringErrors } from './json-schema-scalars.ts'
import { cycleMessage, enclosingSame, type Scope, step } from './json-schema-scope.ts'
import { isEmpty, merge, type Uneval, unevalFrom } from './json-schema-uneval.ts'
import { duplicates, equals, inEnum, type Json, TYPE_ORDER, typeOf } from './json-schema-values.ts'
import { displayValue, enumText, joinQuoted, printInt, quote } from './json-schema-wording.ts'

type Draft = 4 | 6 | 7 | 2019 | 2020
type Schema = boolean | { [key: string]: unknown }

/** A schema construct this walker does not follow: the caller words the error otherwise. */
class Unfollowed extends Error {}

export type SchemaWalk = 'valid' | 'unfollowed' | { text: string }

/**
 * v6's verdict on `value` and, when it refuses it, its message; 'unfollowed' when the schema uses
 * a construct this walk does not follow (the caller then asks ajv).
 */
export function walkSchema(schema: Schema, draft: Draft, value: unknown): SchemaWalk {
  let top: SchemaError | undefined
  try {
    top = new Walker(schema, draft).validate(schema, value as Json, [])
  } catch (error) {
    if (error instanceof Unfollowed) return 'unfollowed'
    throw error
  }
  if (top === undefined) return 'valid'
  const causes = top.message === GROUP && !top.reference ? top.causes : [top]
  const lines: string[] = []
  for (const cause of causes) display(cause, 1, lines)
  return { text: lines.join('\n') }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Keywords whose evaluation this walker does not follow (KrakenD asserts no content* keywords). */
const UNFOLLOWED = ['$dynamicRef', '$recursiveRef']

class Walker {
  readonly #root: Schema
  readonly #draft: Draft
  #depth = 0
  #uneval: Uneval = {}
  #scope: Scope | undefined

  constructor(root: Schema, draft: Draft) {
    this.#root = root
    this.#draft = draft
  }

  /**
   * v6's validator.validate() of a value (`step` is the keyword path to `sch` from the schema
   * applied to the parent value): no error, the one error, or a group of them at `at`.
   */
  validate(sch: Schema, v: Json, at: string[], step = ''): SchemaError | undefined {
    return this.#evaluate(sch, v, at, false, step, false).error
  }

  #evaluate(
    sch: Schema,
    v: Json,
    at: string[],
    callerNeeds: boolean,
    step: string,
    inPlace: boolean,
    location?: string,
  ): { error?: SchemaError; uneval: Uneval } {
    const uneval = unevalFrom(v, sch, callerNeeds, this.#draft)
    if (sch === false) return { error: leaf(at, 'false schema'), uneval }
    if (!isObject(sch)) return { uneval }
    if (++this.#depth > 200) throw new Unfollowed()
    const outer = { uneval: this.#uneval, scope: this.#scope }
    const parent = this.#scope
    const scope = { sch, step, location: location ?? (parent?.location ?? '') + step, inPlace, parent }
    this.#uneval = uneval
    this.#scope = scope
    try {
      const cycle = enclosingSame(scope)
      if (cycle !== undefined) return { error: leaf(at, cycleMessage(scope, cycle)), uneval }
      return { error: this.#validate(sch, v, at), uneval }
    } finally {
      this.#uneval = outer.uneval
      this.#scope = outer.scope
      this.#depth -= 1
    }
  }

  /** v6 validates a property name afresh: a scope chain of its own, its errors at ''. */
  #propertyName(sch: Schema, name: string): SchemaError | undefined {
    const outer = this.#scope
    this.#scope = undefined
    try {
      return this.#evaluate(sch, name, [], false, '', false, `${outer?.location ?? ''}/propertyNames`).error
    } finally {
      this.#scope = outer
    }
  }

  /** A subschema applied to the same value ($ref, allOf...): what it evaluates, when it passes, is evaluated here. */
  #inPlace(sch: Schema, v: Json, at: string[], step: string, location?: string): SchemaError | undefined {
    const mine = this.#uneval
    const { error, uneval } = this.#evaluate(sch, v, at, !isEmpty(mine), step, true, location)
    if (!error) merge(mine, uneval)
    return error
  }

  #validate(schema: Record<string, unknown>, v: Json, at: string[]): SchemaError | undefined {
    const draft = this.#draft
    // Before 2019-09 v6 validates a schema with $ref as that reference alone, but for the
    // `const` draft-06/07 check first.
    if (draft === 4 && typeof schema.$ref === 'string') return this.#ref(schema.$ref, v, at)
    const s = draft < 2019 && typeof schema.$ref === 'string' ? besideRef(schema) : schema
    for (const keyword of UNFOLLOWED) if (draft >= 2019 && keyword in s) throw new Unfollowed()
    const t = typeOf(v)
    if (s.type !== undefined) {
      const types = (Array.isArray(s.type) ? s.type : [s.type]) as string[]
      const matched =
        types.length === 0 ||
        types.includes(t) ||
        (types.includes('integer') && t === 'number' && isExactInteger(v as number | GoNumber))
      if (!matched) {
        const want = TYPE_ORDER.filter((name) => types.includes(name))
        return leaf(at, `got ${t}, want ${want.join(' or ')}`)
      }
    }
    if (draft >= 6 && 'const' in s && !equals(v, s.const as Json)) {
      const want = s.const as Json
      return leaf(
        at,
        typeof want === 'object' && want !== null ? "'const' failed" : `value must be ${displayValue(want)}`,
      )
    }
    if (Array.isArray(s.enum) && !inEnum(s.enum as Json[], v)) return leaf(at, enumText(s.enum))
    if (
      draft < 2019 &&
      typeof s.format === 'string' &&
      Object.hasOwn(GO_FORMATS, s.format) &&
      typeof v === 'string'
    ) {
      const reason = formatError(s.format, v)
      if (reason !== undefined) return leaf(at, `${displayValue(v)} is not valid ${s.format}: ${reason}`)
    }
    const errors: SchemaError[] = []
    if (typeof s.$ref === 'string') push(errors, this.#ref(s.$ref, v, at))
    if (t === 'object') this.#object(s, v as Record<string, Json>, at, errors)
    else if (t === 'array') this.#array(s, v as Json[], at, errors)
    else if (t === 'string') stringErrors(s, v as string, at, errors)
    else if (t === 'number') numberErrors(s, v as number | GoNumber, draft, at, errors)
    this.#conditions(s, v, at, errors)
    if (draft >= 2019) this.#unevaluated(s, v, at, errors)
    if (errors.length === 0) return undefined
    if (errors.length === 1) return errors[0]
    return { at, message: GROUP, causes: errors }
  }

  /** unevaluatedProperties / unevaluatedItems over what nothing else evaluated; then all of it is. */
  #unevaluated(s: Record<string, unknown>, v: Json, at: string[], errors: SchemaError[]): void {
    const uneval = this.#uneval
    if (typeOf(v) === 'object' && s.unevaluatedProperties !== undefined) {
      const obj = v as Record<string, Json>
      for (const name of uneval.props ?? [])
        push(
          errors,
          this.validate(
            s.unevaluatedProperties as Schema,
            obj[name] as Json,
            [...at, name],
            '/unevaluatedProperties',
          ),
        )
      uneval.props = new Set()
    }
    if (Array.isArray(v) && s.unevaluatedItems !== undefined) {
      for (const i of [...(uneval.items ?? [])].sort((a, b) => a - b))
        push(
          errors,
          this.validate(s.unevaluatedItems as Schema, v[i] as Json, [...at, String(i)], '/unevaluatedItems'),
        )
      uneval.items = new Set()
    }
  }

  #ref(ref: string, v: Json, at: string[]): SchemaError | undefined {
    const resolved = resolveRef(this.#root, ref)
    if (resolved === undefined) throw new Unfollowed()
    const error = this.#inPlace(resolved.target, v, at, '/$ref', step(...resolved.tokens))
    if (error === undefined) return undefined
    const causes = error.message === GROUP && !error.reference ? error.causes : [error]
    return { at, message: GROUP, causes, reference: true }
  }

  #object(s: Record<string, unknown>, obj: Record<string, Json>, at: string[], errors: SchemaError[]): void {
    const draft = this.#draft
    const count = Object.keys(obj).length
    if (typeof s.minProperties === 'number' && count < s.minProperties)
      errors.push(leaf(at, `minProperties: got ${printInt(count)}, want ${printInt(s.minProperties)}`))
    if (typeof s.maxProperties === 'number' && count > s.maxProperties)
      errors.push(leaf(at, `maxProperties: got ${printInt(count)}, want ${printInt(s.maxProperties)}`))
    if (Array.isArray(s.required)) {
      const missing = missingOf(obj, s.required as string[])
      if (missing.length > 0)
        errors.push(
          leaf(
            at,
            missing.length === 1
              ? `missing property ${quote(missing[0] as string)}`
              : `missing properties ${joinQuoted(missing)}`,
          ),
        )
    }
    if (isObject(s.dependencies))
      for (const [name, dep] of Object.entries(s.dependencies)) {
        if (!Object.hasOwn(obj, name)) continue
        if (Array.isArray(dep)) {
          const missing = missingOf(obj, dep as string[])
          if (missing.length > 0)
            errors.push(leaf(at, `properties ${joinQuoted(missing)} required, if ${quote(name)} exists`))
        } else push(errors, this.#inPlace(dep as Schema, obj, at, step('dependencies', name)))
      }
    const properties = isObject(s.properties) ? s.properties : {}
    const patterns = isObject(s.patternProperties) ? Object.entries(s.patternProperties) : []
    const additional: string[] = []
    for (const [name, value] of Object.entries(obj)) {
      let evaluated = false
      if (Object.hasOwn(properties, name)) {
        evaluated = true
        push(
          errors,
          this.validate(properties[name] as Schema, value, [...at, name], step('properties', name)),
        )
      }
      for (const [pattern, sch] of patterns)
        if (compileGoRegExp(pattern).test(name)) {
          evaluated = true
          push(errors, this.validate(sch as Schema, value, [...at, name], step('patternProperties', pattern)))
        }
      if (!evaluated && s.additionalProperties !== undefined) {
        evaluated = true
        if (s.additionalProperties === false) additional.push(name)
        else
          push(
            errors,
            this.validate(s.additionalProperties as Schema, value, [...at, name], '/additionalProperties'),
          )
      }
      if (evaluated) this.#uneval.props?.delete(name)
    }
    if (additional.length > 0)
      errors.push(leaf(at, `additional properties ${joinQuoted(additional)} not allowed`))
    if (draft === 4) return
    if (s.propertyNames !== undefined)
      for (const name of Object.keys(obj)) {
        const error = this.#propertyName(s.propertyNames as Schema, name)
        if (error)
          errors.push({
            at: [],
            message: `invalid propertyName ${quote(name)}`,
            causes: error.message === GROUP && !error.reference ? error.causes : [error],
          })
      }
    if (draft < 2019) return
    if (isObject(s.dependentSchemas))
      for (const [name, sch] of Object.entries(s.dependentSchemas))
        if (Object.hasOwn(obj, name))
          push(errors, this.#inPlace(sch as Schema, obj, at, step('dependentSchemas', name)))
    if (isObject(s.dependentRequired))
      for (const [name, required] of Object.entries(s.dependentRequired)) {
        if (!Object.hasOwn(obj, name)) continue
        const missing = missingOf(obj, required as string[])
        if (missing.length > 0)
          errors.push(leaf(at, `properties ${joinQuoted(missing)} required, if ${quote(name)} exists`))
      }
  }

  #array(s: Record<string, unknown>, arr: Json[], at: string[], errors: SchemaError[]): void {
    const draft = this.#draft
    if (typeof s.minItems === 'number' && arr.length < s.minItems)
      errors.push(leaf(at, `minItems: got ${printInt(arr.length)}, want ${printInt(s.minItems)}`))
    if (typeof s.maxItems === 'number' && arr.length > s.maxItems)
      errors.push(leaf(at, `maxItems: got ${printInt(arr.length)}, want ${printInt(s.maxItems)}`))
    if (s.uniqueItems === true && arr.length > 1) {
      const pair = duplicates(arr)
      if (pair) errors.push(leaf(at, `items at ${printInt(pair[0])} and ${printInt(pair[1])} are equal`))
    }
    // v6 names the items after the first ones by their index among those after: kept as KrakenD says it.
    const items = (schemas: Schema[], rest: Schema | undefined, prefixKeyword: string) => {
      const evaluated = Math.min(schemas.length, arr.length)
      for (let i = 0; i < evaluated; i++)
        push(
          errors,
          this.validate(
            schemas[i] as Schema,
            arr[i] as Json,
            [...at, String(i)],
            step(prefixKeyword, String(i)),
          ),
        )
      if (rest === undefined) return evaluated
      for (let i = evaluated; i < arr.length; i++)
        push(errors, this.validate(rest, arr[i] as Json, [...at, String(i - evaluated)], '/items'))
      return arr.length
    }
    if (draft < 2020) {
      const evaluated = Array.isArray(s.items)
        ? items(s.items as Schema[], undefined, 'items')
        : s.items !== undefined
          ? items([], s.items as Schema, 'items')
          : 0
      if (s.additionalItems !== undefined && Array.isArray(s.items)) {
        if (s.additionalItems === false) {
          if (evaluated !== arr.length)
            errors.push(leaf(at, `last ${printInt(arr.length - evaluated)} additionalItem(s) not allowed`))
        } else if (s.additionalItems !== true) {
          for (let i = evaluated; i < arr.length; i++)
            push(
              errors,
              this.validate(
                s.additionalItems as Schema,
                arr[i] as Json,
                [...at, String(i - evaluated)],
                '/additionalItems',
              ),
            )
        }
      }
    } else
      items(
        Array.isArray(s.prefixItems) ? (s.prefixItems as Schema[]) : [],
        s.items as Schema | undefined,
        'prefixItems',
      )
    if (draft >= 6 && s.contains !== undefined) {
      const failures: SchemaError[] = []
      const matched: number[] = []
      arr.forEach((item, i) => {
        const error = this.validate(s.contains as Schema, item, [...at, String(i)], '/contains')
        if (error) failures.push(error)
        else {
          matched.push(i)
          if (draft >= 2020) this.#uneval.items?.delete(i)
        }
      })
      const min = draft >= 2019 && typeof s.minContains === 'number' ? s.minContains : undefined
      if (min !== undefined) {
        if (matched.length < min)
          errors.push({
            at,
            message:
              matched.length === 0
                ? `min ${printInt(min)} items required to match contains schema, but none matched`
                : `min ${printInt(min)} items required to match contains schema, but matched ${printInt(matched.length)} items at ${matched.join(' ')}`,
            causes: failures,
          })
      } else if (matched.length === 0)
        errors.push({ at, message: 'no items match contains schema', causes: failures })
      if (draft >= 2019 && typeof s.maxContains === 'number' && matched.length > s.maxContains)
        errors.push(
          leaf(
            at,
            `max ${printInt(s.maxContains)} items required to match contains schema, but matched ${printInt(matched.length)} items at ${matched.join(' ')}`,
          ),
        )
    }
  }

  #conditions(s: Record<string, unknown>, v: Json, at: string[], errors: SchemaError[]): void {
    if (s.not !== undefined && this.#inPlace(s.not as Schema, v, at, '/not') === undefined)
      errors.push(leaf(at, "'not' failed"))
    if (Array.isArray(s.allOf)) {
      const failures = s.allOf
        .map((sch, i) => this.#inPlace(sch as Schema, v, at, step('allOf', String(i))))
        .filter((e) => e !== undefined)
      if (failures.length > 0) errors.push({ at, message: "'allOf' failed", causes: failures })
    }
    if (Array.isArray(s.anyOf)) {
      const failures: SchemaError[] = []
      let matched = false
      for (const [i, sch] of s.anyOf.entries()) {
        const error = this.#inPlace(sch as Schema, v, at, step('anyOf', String(i)))
        if (error) failures.push(error)
        else {
          matched = true
          // every branch is evaluated while something is left for unevaluated* to check
          if (isEmpty(this.#uneval)) break
        }
      }
      if (!matched) errors.push({ at, message: "'anyOf' failed", causes: failures })
    }
    if (Array.isArray(s.oneOf)) {
      const failures: SchemaError[] = []
      let matched = -1
      for (const [i, sch] of s.oneOf.entries()) {
        const error = this.#inPlace(sch as Schema, v, at, step('oneOf', String(i)))
        if (error) {
          if (matched === -1) failures.push(error)
        } else if (matched === -1) matched = i
        else {
          errors.push(leaf(at, `'oneOf' failed, subschemas ${printInt(matched)}, ${printInt(i)} matched`))
          break
        }
      }
      if (matched === -1) errors.push({ at, message: "'oneOf' failed, none matched", causes: failures })
    }
    if (this.#draft >= 7 && s.if !== undefined) {
      const holds = this.#inPlace(s.if as Schema, v, at, '/if') === undefined
      const branch = holds ? s.then : s.else
      if (branch !== undefined)
        push(errors, this.#inPlace(branch as Schema, v, at, holds ? '/then' : '/else'))
    }
  }
}

const missingOf = (obj: Record<string, Json>, required: string[]) =>
  required.filter((name) => !Object.hasOwn(obj, name))
