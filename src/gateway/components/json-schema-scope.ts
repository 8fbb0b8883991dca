/**
 * santhosh-tekuri/jsonschema v6's validation scopes: which schema applies to which value, reached
 * by which keyword. v6 refuses a body (it does not loop) when a schema is applied again to the
 * same value it is already being applied to: `{"$ref": "#"}`, or a `oneOf` branch referring back
 * to its parent. The message names both keyword paths and the schema's URL, which krakend-jsonschema
 * makes from the working directory (`AddResource("./schema.json", ...)`).
 */
import { goQuote } from '../go-quote.ts'

export interface Scope {
  sch: object
  /** The keyword path from the parent: `/allOf/0`, `/properties/a`, `/$ref`. */
  step: string
  /** Where the schema is in the document, as v6 writes a location's fragment. */
  location: string
  /** Applied to its parent's value (not to a member or item of it). */
  inPlace: boolean
  parent?: Scope
}

/** v6's scope.checkCycle(): an enclosing scope applying the same schema to the same value. */
export function enclosingSame(scope: Scope): Scope | undefined {
  let child = scope
  for (let outer = scope.parent; outer !== undefined && child.inPlace; outer = outer.parent) {
    if (outer.sch === scope.sch) return outer
    child = outer
  }
  return undefined
}

const keywordPath = (scope: Scope | undefined): string => {
  let path = ''
  for (let s = scope; s?.parent !== undefined; s = s.parent) path = s.step + path
  return path
}

let documentUrl: string | undefined

/** v6's kind.RefCycle message. */
export function cycleMessage(scope: Scope, outer: Scope): string {
  documentUrl ??= `file://${process.cwd().replaceAll('\\', '/')}/schema.json`
  return `both ${keywordPath(scope)} and ${keywordPath(outer)} resolve to ${goQuote(`${documentUrl}#${scope.location}`)} causing reference cycle`
}

/** A location step for keyword tokens: each a JSON-pointer token, path-escaped as v6's encode() does. */
export const step = (...tokens: string[]) => tokens.map((t) => `/${pathSegmentEscape(t)}`).join('')

const HEX = '0123456789ABCDEF'

/** Go's url.PathEscape of a JSON-pointer-escaped token, over its UTF-8 bytes. */
function pathSegmentEscape(token: string): string {
  let out = ''
  for (const byte of Buffer.from(token.replaceAll('~', '~0').replaceAll('/', '~1'), 'utf8')) {
    const c = String.fromCharCode(byte)
    out += /[A-Za-z0-9\-_.~$&+:=@]/.test(c) ? c : `%${HEX[byte >> 4]}${HEX[byte & 15]}`
  }
  return out
}
