// backend/graphql: lura's GraphQL middleware (proxy/graphql.go, transport/http/client/graphql).
// The backend call becomes a GraphQL request: a `query` fills its variables from the request's
// params; a `mutation` takes them from the client's JSON body. POST sends the GraphQL request as
// a JSON body. GET sends no GraphQL at all: lura adds `query`, `operationName` and `variables` to
// the request's Query map below its load balancer, which has already written the URL from that map
// (proxy/factory.go newStack, proxy/balancing.go), so the backend gets the url_pattern's query and
// input_query_strings alone. A mutation's body is still decoded (a bad one fails the call).

import { goJson, goStruct } from '../go-json.ts'
import { exceedsGoDepth, GO_MAP, goUnmarshalTypeError, mayLoseNumberText } from '../go-json-decoder.ts'
import { mayHoldSurrogateEscape, wellFormedStrings } from '../go-json-surrogates.ts'
import { goUnmarshalSyntaxError } from '../go-json-unmarshal-error.ts'
import { GoPanic } from '../go-panic.ts'
import { goUtf8 } from '../go-utf8.ts'
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
}

const EMPTY = Buffer.alloc(0)
const GET_REQUEST: GraphqlRequest = { method: 'GET', body: EMPTY }

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
    if (value === '' || value === '{}')
      f.report.error(
        [...f.at('variables'), name],
        `the variable ${JSON.stringify(value)} makes KrakenD panic at startup (lura slices it as a {param} placeholder)`,
        'give the variable another value, or remove it',
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

type Variables = Record<string, unknown> | undefined
type Build<T> = (params: Record<string, string | undefined>, body: Buffer | undefined) => T

/**
 * The GraphQL variables of a call, or lura's error: a query's from the request params (`"{id}"` is the
 * param `Id`), a mutation's from the client's JSON body over the configured defaults.
 */
function compileVariables(cfg: GraphqlConfig): Build<Variables | string> {
  if (cfg.type === 'mutation')
    return (_params, body) => {
      const vars = unmarshalObject(body ?? EMPTY)
      if (typeof vars === 'string') return vars
      if (vars === null) {
        // Go's Unmarshal of null leaves lura's map nil, and setting the defaults in it panics.
        if (cfg.variables && Object.keys(cfg.variables).length > 0)
          throw new GoPanic('assignment to entry in nil map')
        return undefined
      }
      for (const [name, value] of Object.entries(cfg.variables ?? {})) if (!(name in vars)) vars[name] = value
      return vars
    }
  const placeholders = Object.entries(cfg.variables ?? {}).filter(
    (entry): entry is [string, string] =>
      typeof entry[1] === 'string' && entry[1].startsWith('{') && entry[1].endsWith('}'),
  )
  if (placeholders.length === 0) return () => cfg.variables
  const names = placeholders.map(([variable, value]) => [variable, paramName(value)] as const)
  return (params) => {
    const variables: Record<string, unknown> = { ...cfg.variables }
    const named = luraParams(params)
    for (const [variable, name] of names) variables[variable] = named[name] ?? ''
    return variables
  }
}

/** Builds the per-call transformation once: the GraphQL request lura's middleware makes of the call. */
export function compileGraphql(cfg: GraphqlConfig): Build<GraphqlRequest | string> {
  const variables = compileVariables(cfg)
  // A GET query has nothing to decode and sends nothing of its variables; a GET mutation decodes the body.
  if (cfg.method === 'GET')
    return cfg.type === 'query'
      ? () => GET_REQUEST
      : (params, body) => {
          const vars = variables(params, body)
          return typeof vars === 'string' ? vars : GET_REQUEST
        }
  const build = (vars: Variables): GraphqlRequest => ({
    method: 'POST',
    body: Buffer.from(graphqlJson(cfg.query, cfg.operationName, vars)),
  })
  if (cfg.type === 'query' && !Object.values(cfg.variables ?? {}).some(isPlaceholder)) {
    const fixed = build(cfg.variables)
    return () => fixed
  }
  return (params, body) => {
    const vars = variables(params, body)
    return typeof vars === 'string' ? vars : build(vars)
  }
}

const isPlaceholder = (value: unknown) =>
  typeof value === 'string' && value.startsWith('{') && value.endsWith('}')

/**
 * What lura's GET middleware adds to the request's query map (url.Values: query, operationName and
 * variables) after the backend's URL was written. The map is shared with the calls that follow on a
 * sequential endpoint, so they carry it; undefined for POST, or a call the middleware refuses.
 */
export function compileGraphqlQuery(
  cfg: GraphqlConfig,
): Build<Array<[string, string]> | undefined> | undefined {
  if (cfg.method !== 'GET') return undefined
  const variables = compileVariables(cfg)
  return (params, body) => {
    let vars: Variables | string
    try {
      vars = variables(params, body)
    } catch {
      return undefined
    }
    if (typeof vars === 'string') return undefined
    const values: Array<[string, string]> = [['query', cfg.query]]
    if (cfg.operationName !== '') values.push(['operationName', cfg.operationName])
    if (vars !== undefined && Object.keys(vars).length > 0) values.push(['variables', goJson(vars)])
    return values
  }
}

/**
 * Go's json.Unmarshal into map[string]interface{}: null gives a nil map; Go's error texts otherwise.
 * Its numbers are float64s: one beyond float64's range fails the whole call (JSON.parse makes it
 * Infinity, which would go out as null). A lone surrogate escape is U+FFFD, as Go decodes it; so
 * is each byte of invalid UTF-8; nesting beyond Go's 10000 levels fails as Go's scanner does.
 */
function unmarshalObject(body: Buffer): Record<string, unknown> | null | string {
  let text = body.toString('utf8')
  // Go replaces each byte of a bad UTF-8 sequence with its own U+FFFD (Buffer one per sequence).
  if (text.includes('\uFFFD')) text = goUtf8(body)
  if (exceedsGoDepth(text)) return goUnmarshalSyntaxError(body)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return goUnmarshalSyntaxError(body)
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
