/**
 * `validation/json-schema` (endpoint level) with ajv, as krakend-jsonschema: the request body must
 * be a JSON document valid against the schema, else 400 with `X-KrakenD-Completed: false` and, with
 * `router.return_error_msg`, the reasons as text. An empty body is 400 ("could not validate an empty
 * body"); so is a body that is not JSON. KrakenD CE 2.13 validates with santhosh-tekuri/jsonschema
 * v6: draft 2020-12 when `$schema` is absent, formats asserted by draft-04/06/07 only.
 */
import type { ErrorObject, ValidateFunction } from 'ajv'
import type { KeyPath } from '../../core/source-text.ts'
import {
  exceedsGoDepth,
  firstValueText,
  parseJsonKeepingNumbers,
  scanFirstValue,
} from '../go-json-decoder.ts'
import { ajvLibrary } from '../libraries.ts'
import { hasInexactNumber, isExactMultiple } from './exact-decimal.ts'
import { compileGoRegExp, GoRegExpError } from './go-regexp.ts'
import { compiledRefs, compileProblem, withoutDeadBranches } from './json-schema-compile-checks.ts'
import { walkSchema } from './json-schema-errors.ts'
import { formatError, GO_FORMATS } from './json-schema-formats.ts'
import { asDraft07, olderDraftProblem, withoutIgnoredIds } from './json-schema-older-drafts.ts'
import { resolveRef } from './json-schema-refs.ts'
import { duplicates, equals, inEnum, type Json, wellFormed } from './json-schema-values.ts'
import { equalityNeeds, walkDecides } from './json-schema-walk-decides.ts'
import { quote } from './json-schema-wording.ts'
import type { GuardContext, IncomingLike, Reply, Report } from './types.ts'

export interface JsonSchemaConfig {
  schema: Record<string, unknown> | boolean
}

/** The draft of a `$schema` as santhosh-tekuri/jsonschema (KrakenD's library) reads it; undefined: unknown. */
function schemaDraft(schema: Record<string, unknown> | boolean): 4 | 6 | 7 | 2019 | 2020 | undefined {
  if (typeof schema !== 'object' || schema.$schema === undefined) return 2020
  if (typeof schema.$schema !== 'string') return 2020
  const hash = schema.$schema.indexOf('#')
  if (hash !== -1 && hash !== schema.$schema.length - 1) return undefined
  const url = schema.$schema.slice(0, hash === -1 ? undefined : hash).replace(/^https?:\/\//, '')
  const drafts: Record<string, 4 | 6 | 7 | 2019 | 2020> = {
    'json-schema.org/schema': 2020,
    'json-schema.org/draft/2020-12/schema': 2020,
    'json-schema.org/draft/2019-09/schema': 2019,
    'json-schema.org/draft-07/schema': 7,
    'json-schema.org/draft-06/schema': 6,
    'json-schema.org/draft-04/schema': 4,
  }
  return drafts[url]
}

/**
 * Compiles as KrakenD does: 2020-12 unless `$schema` names another draft, the schema checked
 * against its meta-schema (KrakenD skips a schema that fails it; here it is a config error), and
 * `format` asserted only by draft-04/06/07 (2019-09 and 2020-12 make it an annotation). Draft-04/06
 * schemas are rewritten as the draft-07 schema asserting what those drafts assert. `pattern` and
 * `patternProperties` are Go regular expressions (RE2 syntax and matches, linear time), and
 * `multipleOf` is exact, as santhosh-tekuri/jsonschema's big.Rat division is: 0.07 is a multiple of
 * 0.01.
 */
export function compileSchema(schema: Record<string, unknown> | boolean): ValidateFunction {
  const draft = schemaDraft(schema)
  if (draft === undefined)
    throw new Error(
      `unsupported "$schema" ${JSON.stringify((schema as Record<string, unknown>).$schema)}: KrakenD knows draft-04, 06, 07, 2019-09 and 2020-12`,
    )
  const options = {
    strict: false,
    allErrors: true,
    ownProperties: true,
    logger: false,
    validateFormats: draft < 2019,
    code: { regExp: goRegExpEngine },
  } as const
  const { Ajv, Ajv2019, Ajv2020 } = ajvLibrary()
  const ajv = draft === 2020 ? new Ajv2020(options) : draft === 2019 ? new Ajv2019(options) : new Ajv(options)
  // KrakenD's formats, also for the meta-schema's own `"format": "regex"` on patterns; any other
  // format is unknown to KrakenD and so never asserted.
  for (const format of Object.keys(GO_FORMATS))
    ajv.addFormat(format, {
      type: 'string',
      validate: (value: string) => formatError(format, value) === undefined,
    })
  // Equality as v6's equals(), where ajv's could differ: its deep-equal reads an own `constructor`
  // member as the object's class (two objects `{"constructor": []}` were unequal, so uniqueItems
  // let them through), and v6 takes a number for equal to a string of the same number (`["1", 1]`
  // repeats). Only for the keywords that need it: ajv's own code is faster.
  const { values, unique } = equalityNeeds(schema)
  if (unique) {
    ajv.removeKeyword('uniqueItems')
    ajv.addKeyword({
      keyword: 'uniqueItems',
      type: 'array',
      schemaType: 'boolean',
      compile: (on: boolean) => (items: Json[]) => !on || duplicates(items) === undefined,
    })
  }
  if (values) {
    ajv.removeKeyword('const')
    ajv.addKeyword({ keyword: 'const', compile: (want: Json) => (value: Json) => equals(value, want) })
    ajv.removeKeyword('enum')
    ajv.addKeyword({ keyword: 'enum', schemaType: 'array', compile: enumCheck })
  }
  ajv.removeKeyword('multipleOf')
  ajv.addKeyword({
    keyword: 'multipleOf',
    type: 'number',
    schemaType: 'number',
    validate: (multipleOf: number, value: number) => isExactMultiple(value, multipleOf),
  })
  // The class already is the draft (ajv knows no draft-04/06 nor the "latest" URL); draft-04/06
  // schemas become the draft-07 schema asserting the same.
  let input = schema
  if (typeof schema === 'object') {
    const { $schema: _dropped, ...rest } = schema
    const problem = draft === 4 || draft === 6 ? olderDraftProblem(rest, draft) : undefined
    if (problem !== undefined) throw new Error(`schema is invalid: ${problem}`)
    const unseen = compileProblem(rest, draft)
    if (unseen !== undefined) throw new Error(`schema is invalid: ${unseen}`)
    input = draft === 4 || draft === 6 ? asDraft07(rest, draft) : rest
    // `$id`s v6 ignores before 2019-09 (draft-04's, and beside a `$ref`) must not move ajv's base,
    // nor the keywords it ignores beside a `$ref` apply; the meta-schema still checks them all.
    if (draft < 2019) {
      if (ajv.validateSchema(input) !== true)
        throw new Error(`schema is invalid: ${ajv.errorsText(ajv.errors)}`)
      // v6 also checks what a reference it compiles points to (under `$defs`, say) against it.
      for (const pointer of compiledRefs(rest, draft)) {
        const target = resolveRef(input as Record<string, unknown>, `#${pointer}`)?.target
        if (typeof target === 'object' && ajv.validateSchema(target) !== true)
          throw new Error(`schema is invalid: ${pointer}: ${ajv.errorsText(ajv.errors)}`)
      }
      input = withoutIgnoredIds(input, draft as 4 | 6 | 7)
    }
  }
  const live = withoutDeadBranches(input) as typeof input
  if (live !== input) {
    // the meta-schema still checks the branches ajv is not given
    if (ajv.validateSchema(input) !== true)
      throw new Error(`schema is invalid: ${ajv.errorsText(ajv.errors)}`)
  }
  return ajv.compile(live)
}

/** v6's enum; a list of strings, booleans and nulls (the common one) as a set lookup. */
function enumCheck(values: Json[]): (value: Json) => boolean {
  if (values.every((item) => item === null || typeof item === 'string' || typeof item === 'boolean')) {
    const set = new Set<Json>(values)
    return (value) => set.has(value)
  }
  return (value) => inEnum(values, value)
}

const goRegExpEngine = Object.assign(
  (pattern: string) => {
    const re = compileGoRegExp(pattern)
    // ajv shares compiled patterns by their toString().
    return { test: (text: string) => re.test(text), toString: () => `go:${pattern}` }
  },
  { code: 'goRegExp' },
)

export function parseJsonSchema(raw: unknown, path: KeyPath, report: Report): JsonSchemaConfig | undefined {
  if (typeof raw !== 'boolean' && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    report.error(path, 'validation/json-schema must be a JSON schema (an object)')
    return undefined
  }
  try {
    compileSchema(raw as JsonSchemaConfig['schema'])
  } catch (error) {
    report.error(
      path,
      `the JSON schema does not compile: ${(error as Error).message}`,
      error instanceof GoRegExpError && error.goAccepts
        ? 'this runtime would match some strings otherwise than KrakenD; write the pattern another way'
        : 'KrakenD would log this and skip the validation; fix the schema',
    )
    return undefined
  }
  return { schema: raw as JsonSchemaConfig['schema'] }
}

export function compileJsonSchema(
  cfg: JsonSchemaConfig,
  returnErrorMsg: boolean,
  refusalHeaders: () => Record<string, string>,
  /** Where the refusal is logged; undefined where the caller logs the Reply's error (an agent's pipe). */
  log: ((message: string) => void) | undefined,
): (req: IncomingLike, ctx: GuardContext) => Reply | undefined {
  const validate = compileSchema(cfg.schema)
  // krakend-jsonschema's error: the decoder's, the empty body's, or the validation's (its first line dropped)
  const reject = (message: string): Reply => {
    log?.(message)
    return returnErrorMsg
      ? {
          status: 400,
          headers: { ...refusalHeaders(), 'Content-Type': 'text/plain; charset=utf-8' },
          body: message,
          error: message,
        }
      : { status: 400, headers: refusalHeaders(), body: '', error: message }
  }
  const draft = schemaDraft(cfg.schema) ?? 2020
  const walkOnly = walkDecides(cfg.schema, draft)
  return (_req, ctx) => {
    if (!ctx.body || ctx.body.length === 0) return reject('could not validate an empty body')
    const parsed = goDecodeBody(ctx.body)
    if ('error' in parsed) return reject(parsed.error)
    // Numbers a double cannot hold (1.0000000000000001, 9007199254740993) are compared as the
    // decimals they are, as KrakenD's big.Rat does: the walk decides (ajv's verdict where it
    // does not follow the schema).
    const surrogates = SURROGATE_ESCAPE.test(parsed.text)
    const read = 'value' in parsed ? parsed.value : JSON.parse(parsed.text)
    const value = surrogates ? wellFormed(read) : read
    const exactNumbers = hasInexactNumber(parsed.text)
    if (exactNumbers || walkOnly) {
      const exact = exactNumbers ? parseJsonKeepingNumbers(parsed.text) : value
      const walked = walkSchema(cfg.schema, draft, exactNumbers && surrogates ? wellFormed(exact) : exact)
      if (walked === 'valid') return undefined
      if (walked !== 'unfollowed') return reject(walked.text)
    }
    const accepted = ajvVerdict(validate, value)
    if (accepted === true) return undefined
    const walked = walkSchema(cfg.schema, draft, value)
    if (accepted === undefined && walked === 'valid') return undefined
    return reject(typeof walked === 'object' ? walked.text : ajvErrorText(validate.errors ?? []))
  }
}

/**
 * ajv's verdict; undefined where its generated code throws (`patternProperties` beside an `anyOf`
 * whose branch fails: "Cannot set properties of undefined"): the walk decides then.
 */
function ajvVerdict(validate: ValidateFunction, value: unknown): boolean | undefined {
  try {
    return validate(value)
  } catch {
    validate.errors = []
    return undefined
  }
}

/** A `\uD800`-`\uDFFF` escape: Go's decoder reads a lone one as U+FFFD, JSON.parse keeps it. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/

/**
 * The body's JSON text as santhosh-tekuri's UnmarshalJSON reads it (Go's json.Decoder): its
 * errors in Go's words, and anything but white space after the first value refused. A body
 * JSON.parse takes whole, valid UTF-8 and not nested past Go's limit, reads the same in Go: the
 * byte-by-byte scan runs only for the others.
 */
function goDecodeBody(body: Buffer): { text: string; value?: unknown } | { error: string } {
  const whole = body.toString('utf8')
  if (!whole.includes('\uFFFD') && !exceedsGoDepth(whole))
    try {
      return { text: whole, value: JSON.parse(whole) }
    } catch {}
  const first = scanFirstValue(body)
  if (first.error !== undefined) return { error: first.error }
  for (let i = first.end; i < body.length; i++) {
    const c = body[i]
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)
      return { error: 'invalid character after top-level value' }
  }
  return firstValueText(body.subarray(0, first.end))
}

/** Where the schema walk cannot word an error as KrakenD does (a construct it does not follow): ajv's words, v6's layout. */
function ajvErrorText(errors: ErrorObject[]): string {
  return errors.map((e) => `- at ${quote(e.instancePath)}: ${e.message ?? 'invalid'}`).join('\n')
}
