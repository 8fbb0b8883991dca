// The Go values the JSON writers need to tell apart from plain JavaScript ones: a json.Number's
// text, a nil map, a struct (fields in declaration order) and lura's response error struct.

// Node >= 21 (V8's JSON.parse source text access); not in TypeScript's lib yet.
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON

/**
 * One value per process for what gateway.cjs tests by identity (instanceof, a prototype): a lazy
 * file bundled with its own copy of these modules (lazy/lambda.cjs, whose answers hold GoFloat64s
 * and nil maps) takes the first copy's, gateway.cjs's.
 */
export function processWide<T>(name: string, made: T): T {
  const key = Symbol.for(`gwdeploy.runtime.${name}`)
  const shared = globalThis as { [key: symbol]: unknown }
  shared[key] ??= made
  return shared[key] as T
}

/**
 * A backend number whose JavaScript value would print differently from its text (1.50, 1e3, -0,
 * integers beyond 2^53). KrakenD decodes with UseNumber and writes such numbers back verbatim.
 */
class JsonNumber {
  readonly literal: string
  constructor(literal: string) {
    this.literal = literal
  }
  toString(): string {
    return this.literal
  }
  /** JSON.stringify writes the backend's text verbatim. */
  toJSON(): unknown {
    return rawJSON(this.literal)
  }
}
export const GoNumber: typeof JsonNumber = processWide('GoNumber', JsonNumber)
export type GoNumber = JsonNumber

/**
 * The prototype of Go's nil map[string]interface{}, what Go's decoder makes of a backend's JSON
 * `null` (and krakend/flatmap of an answer it empties): read like an empty object, written as
 * `null` by encoding/json. A value with keys written into it is an ordinary map again.
 */
export const NIL_MAP: object = processWide(
  'NIL_MAP',
  Object.create(Object.prototype, {
    toJSON: {
      value(this: Record<string, unknown>): unknown {
        for (const _ in this) return { ...this }
        return null
      },
    },
  }),
)

/** A new nil map (see NIL_MAP). */
export const goNilMap = (): Record<string, unknown> => Object.create(NIL_MAP)

/** Whether `value` is a nil map: made by goNilMap and still without keys. */
export function isGoNilMap(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== NIL_MAP) return false
  for (const _ in value) return false
  return true
}

/**
 * The prototype of Go's nil []interface{}, what Go's decoder makes of a backend's JSON `null` read
 * into lura's collection: an empty list to every reader (goccy's YAML writes `[]`, Lua sees a
 * luaList, CEL a list, the sequential proxy an empty param), written `null` by encoding/json.
 */
const NIL_SLICE: object = processWide(
  'NIL_SLICE',
  Object.create(Array.prototype, {
    toJSON: {
      value(this: unknown[]): unknown {
        return this.length === 0 ? null : [...this]
      },
    },
  }),
)

/** A new nil slice (see NIL_SLICE). */
export const goNilSlice = (): unknown[] => Object.setPrototypeOf([], NIL_SLICE)

/** Whether `list` is a nil slice: made by goNilSlice and still empty. */
export const isGoNilSlice = (list: readonly unknown[]): boolean =>
  list.length === 0 && Object.getPrototypeOf(list) === NIL_SLICE

const GO_STRUCT = Symbol('a Go struct: fields in declaration order')

/**
 * Marks `fields` as a Go struct value: encoding/json writes a struct's fields in the order they
 * are declared, not sorted like a map's keys (lura's HTTPResponseError in return_error_details).
 */
export function goStruct<T extends object>(fields: T): T {
  Object.defineProperty(fields, GO_STRUCT, { value: true })
  return fields
}

/** Whether `obj` was marked by goStruct. */
export const isGoStruct = (obj: object) => (obj as { [GO_STRUCT]?: boolean })[GO_STRUCT] === true

const GO_RESPONSE_ERROR = Symbol("lura's NamedHTTPResponseError")

/**
 * lura's NamedHTTPResponseError (return_error_details: http_status_code, http_body,
 * http_body_encoding): a Go struct that the YAML and XML renders write in their own ways.
 */
export function goResponseError<T extends object>(fields: T): T {
  Object.defineProperty(fields, GO_RESPONSE_ERROR, { value: true })
  return goStruct(fields)
}

/** Whether `obj` was marked by goResponseError. */
export const isGoResponseError = (obj: object) =>
  (obj as { [GO_RESPONSE_ERROR]?: boolean })[GO_RESPONSE_ERROR] === true
