// backend/graphql: lura's GraphQL middleware (proxy/graphql.go, transport/http/client/graphql).
// The backend call becomes a GraphQL request: a `query` fills its variables from the request's
// params; a `mutation` takes them from the client's JSON body. POST sends the GraphQL request as
// a JSON body, GET as the `query`, `operationName` and `variables` query-string parameters.

import { goJson, goStruct } from '../go-json.ts'
import {
  GO_MAP,
  goQuoteChar,
  goUnmarshalTypeError,
  mayLoseNumberText,
  scanFirstValue,
} from '../go-json-decoder.ts'
import { mayHoldSurrogateEscape, wellFormedStrings } from '../go-json-surrogates.ts'
import { encodeGoQuery, parseGoQuery } from '../go-url.ts'
import type { Fields } from './fields.ts'
import { luraParams } from './lura-params.ts'
import { isObject } from './types.ts'

export interface GraphqlConfig {
  type: 'query' | 'mutation'
  method: 'GET' | 'POST'
  query: string
  operationName: string
  variables: Record<string, unknown> | undefined
  /** query_path: a file whose text replaces `query`, read when the config is loaded. */
  queryPath: string | undefined
}

/** What the middleware makes of one backend call, or lura's error for it. */
export interface GraphqlRequest {
  method: 'GET' | 'POST'
  /** POST: the GraphQL request as JSON. GET: empty. */
  body: Buffer
  /** GET: the parameters to add to the backend's query string. */
  query: Array<[string, string]>
}

const EMPTY = Buffer.alloc(0)

/** Options as Go's json.Unmarshal fills lura's graphql.Options (wrong types refused: lura would drop GraphQL). */
export function parseGraphql(f: Fields): GraphqlConfig | undefined {
  // Known even when a problem stops the reading early.
  f.declare('type', 'method', 'variables', 'query', 'query_path', 'operationName')
  const type = (f.string('type') ?? '').toLowerCase()
  if (type !== 'query' && type !== 'mutation') {
    f.report.error(
      f.at('type'),
      `"type" must be "query" or "mutation", got ${JSON.stringify(f.raw.type)}: KrakenD would call the backend without GraphQL`,
    )
    return undefined
  }
  const method = (f.string('method') ?? '').toUpperCase() === 'GET' ? 'GET' : 'POST'
  const variables = f.raw.variables
  if (variables !== undefined && variables !== null && !isObject(variables)) {
    f.report.error(f.at('variables'), '"variables" must be an object of GraphQL variables')
    return undefined
  }
  for (const [name, value] of Object.entries(variables ?? {}))
    if (value === '')
      f.report.error(
        [...f.at('variables'), name],
        'an empty string variable makes KrakenD panic at startup (it reads its first character)',
        'give the variable a value, or remove it',
      )
  const query = f.string('query') ?? ''
  const queryPath = f.string('query_path') || undefined
  if (query === '' && queryPath === undefined)
    f.report.warn(f.path, 'no "query" nor "query_path": the backend gets an empty GraphQL query')
  return {
    type,
    method,
    query,
    operationName: f.string('operationName') ?? '',
    variables: (variables ?? undefined) as Record<string, unknown> | undefined,
    queryPath,
  }
}

/** lura's request param name for a `{name}` placeholder: its first letter upper case. */
const paramName = (placeholder: string) => placeholder.charAt(1).toUpperCase() + placeholder.slice(2, -1)

/** Go's json.Marshal of graphql.GraphQLRequest: operationName and variables omitted when empty. */
function graphqlJson(query: string, operationName: string, variables: Record<string, unknown> | undefined) {
  const body: Record<string, unknown> = { query }
  if (operationName !== '') body.operationName = operationName
  if (variables !== undefined && Object.keys(variables).length > 0) body.variables = variables
  return goJson(goStruct(body))
}

/** url.Values of the GraphQL request, as lura adds them to the backend's query string. */
function graphqlQuery(
  query: string,
  operationName: string,
  variables: Record<string, unknown> | undefined,
): Array<[string, string]> {
  const out: Array<[string, string]> = [['query', query]]
  if (operationName !== '') out.push(['operationName', operationName])
  if (variables !== undefined && Object.keys(variables).length > 0) out.push(['variables', goJson(variables)])
  return out
}

/**
 * Builds the per-call transformation once: a query's variables from the request params (`"{id}"`
 * is the param `Id`), a mutation's from the client's JSON body over the configured defaults.
 */
export function compileGraphql(
  cfg: GraphqlConfig,
): (params: Record<string, string | undefined>, body: Buffer | undefined) => GraphqlRequest | string {
  const build = (variables: Record<string, unknown> | undefined): GraphqlRequest =>
    cfg.method === 'GET'
      ? { method: 'GET', body: EMPTY, query: graphqlQuery(cfg.query, cfg.operationName, variables) }
      : { method: 'POST', body: Buffer.from(graphqlJson(cfg.query, cfg.operationName, variables)), query: [] }
  if (cfg.type === 'mutation')
    return (_params, body) => {
      const vars = unmarshalObject(body ?? EMPTY)
      if (typeof vars === 'string') return vars
      if (vars === null) {
        if (cfg.variables && Object.keys(cfg.variables).length > 0) return 'assignment to entry in nil map'
        return build(undefined)
      }
      for (const [name, value] of Object.entries(cfg.variables ?? {})) if (!(name in vars)) vars[name] = value
      return build(vars)
    }
  const placeholders = Object.entries(cfg.variables ?? {}).filter(
    (entry): entry is [string, string] =>
      typeof entry[1] === 'string' && entry[1].startsWith('{') && entry[1].endsWith('}'),
  )
  if (placeholders.length === 0) {
    const fixed = build(cfg.variables)
    return () => fixed
  }
  const names = placeholders.map(([variable, value]) => [variable, paramName(value)] as const)
  return (params) => {
    const variables: Record<string, unknown> = { ...cfg.variables }
    const named = luraParams(params)
    for (const [variable, name] of names) variables[variable] = named[name] ?? ''
    return build(variables)
  }
}

/** The GET form of a GraphQL request merged into a query string, re-encoded as url.Values.Encode does. */
export function withGraphqlQuery(rawQuery: string, added: Array<[string, string]>): string {
  const values = parseGoQuery(rawQuery)
  for (const [name, value] of added) values.set(name, [...(values.get(name) ?? []), value])
  return encodeGoQuery(values)
}

/**
 * Go's json.Unmarshal into map[string]interface{}: null gives a nil map; Go's error texts otherwise.
 * Its numbers are float64s: one beyond float64's range fails the whole call (JSON.parse makes it
 * Infinity, which would go out as null). A lone surrogate escape is U+FFFD, as Go decodes it.
 */
function unmarshalObject(body: Buffer): Record<string, unknown> | null | string {
  const text = body.toString('utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return unmarshalSyntaxError(body)
  }
  if (value === null) return null
  if (!isObject(value)) return goUnmarshalTypeError(value, GO_MAP)
  const overflow = mayLoseNumberText(text) ? firstFloatOverflow(text) : undefined
  if (overflow !== undefined) return `json: cannot unmarshal number ${overflow} into Go value of type float64`
  return mayHoldSurrogateEscape(text) ? (wellFormedStrings(value) as Record<string, unknown>) : value
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y

/** The first number literal (in text order, outside strings) of valid JSON that float64 cannot hold. */
function firstFloatOverflow(text: string): string | undefined {
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      for (i += 1; text.charCodeAt(i) !== 0x22; i += 1) if (text.charCodeAt(i) === 0x5c) i += 1
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i
      const literal = NUMBER.exec(text)?.[0] ?? ''
      if (!Number.isFinite(Number(literal))) return literal
      i += literal.length - 1
    }
  }
  return undefined
}

/** json.Unmarshal's syntax errors: the scanner's, `unexpected end of JSON input`, or text after the value. */
function unmarshalSyntaxError(body: Buffer): string {
  const first = scanFirstValue(body)
  if (first.error === 'EOF' || first.error === 'unexpected EOF') return 'unexpected end of JSON input'
  if (first.error !== undefined) return first.error
  let at = first.end
  while (
    at < body.length &&
    (body[at] === 0x20 || body[at] === 0x09 || body[at] === 0x0a || body[at] === 0x0d)
  )
    at += 1
  return `invalid character ${goQuoteChar(body[at] as number)} after top-level value`
}
