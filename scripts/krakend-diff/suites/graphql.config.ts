// Random backend/graphql configs (seeded: SEED=, ENDPOINTS= how many): query and mutation, GET and POST
// (in any case, or another method, which lura reads as POST), query or query_path, operationName,
// variables with {params} (also ones the endpoint lacks or that are no placeholders) and literals of
// every JSON type, the backend's own method, target / group / allow / is_collection / mapping over the
// GraphQL answer, return_error_code. Backends echo the request (backend.ts /echo) or answer scripted
// GraphQL bodies (data, errors, a 400).
import { writeFileSync } from 'node:fs'
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { JSON_TYPE, scripted } from './scripted.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 5) * 7919 + 17)
const chance = (p: number) => rnd() < p

// query_path is read when the config is loaded, by KrakenD and this runtime alike.
const QUERY_FILE = '/tmp/krakend-diff-graphql-query.graphql'
writeFileSync(QUERY_FILE, 'query Q($id: ID!) {\n  user(id: $id) { name }\n}\n')

const VARIABLES: unknown[] = [
  '{id}',
  '{Id}',
  '{ID}',
  '{x}',
  '{id',
  'id}',
  '{a}b}',
  'plain',
  1,
  2.5,
  1e21,
  true,
  null,
  [1, '{id}'],
  { n: '{id}' },
  '{{id}}',
  -0,
  2 ** 64,
]
const ANSWERS = [
  '/echo/graphql',
  scripted(200, JSON_TYPE, '{"data":{"user":{"id":"1","name":"Ann","n":1.50}}}'),
  scripted(200, JSON_TYPE, '{"data":null,"errors":[{"message":"boom","path":["user"]}]}'),
  scripted(200, JSON_TYPE, '{"data":{"list":[{"a":1},{"a":2}]},"errors":[]}'),
  scripted(400, JSON_TYPE, '{"errors":[{"message":"bad query"}]}'),
  scripted(200, { 'Content-Type': 'application/graphql-response+json' }, '{"data":{"x":true}}'),
]

export const METHODS = ['GET', 'POST', 'PUT'] as const

export const config = {
  version: 3,
  timeout: '3s',
  extra_config: { router: { return_error_msg: true } },
  endpoints: Array.from({ length: Number(process.env.ENDPOINTS ?? 24) }, (_, i) => {
    const graphql: Record<string, unknown> = { type: pick(['query', 'mutation', 'Query', 'MUTATION']) }
    const method = pick([undefined, 'GET', 'POST', 'get', 'PUT'])
    if (method !== undefined) graphql.method = method
    if (chance(0.2)) graphql.query_path = QUERY_FILE
    else
      graphql.query = pick([
        '{ user { name } }',
        'query Q($id: ID!) { user(id: $id) { name } }',
        'mutation M($n: Int) { add(n: $n) }',
        '<&> "quoted" é',
      ])
    if (chance(0.4)) graphql.operationName = pick(['Q', 'M', ''])
    if (chance(0.7)) {
      const variables: Record<string, unknown> = {}
      const n = 1 + Math.floor(rnd() * 3)
      for (let v = 0; v < n; v++) variables[pick(['id', 'n', 'name', 'x', 'ID'])] = pick(VARIABLES)
      graphql.variables = variables
    }
    const backend: Record<string, unknown> = {
      host: ['BACKEND'],
      url_pattern: pick(ANSWERS) + pick(['', '?fixed=1']),
      extra_config: {
        'backend/graphql': graphql,
        ...(chance(0.2) ? { 'backend/http': { return_error_code: true } } : {}),
      },
    }
    if (chance(0.3)) backend.method = pick(['GET', 'POST', 'PUT', 'DELETE'])
    if (chance(0.4)) backend.target = pick(['data', 'data.user', 'errors', 'body'])
    if (chance(0.2)) backend.group = 'g'
    if (chance(0.15)) backend.is_collection = true
    if (chance(0.15)) backend.allow = ['user', 'data', 'body', 'method']
    if (chance(0.1)) backend.mapping = { data: 'renamed' }
    return {
      endpoint: `/g${i}/{id}`,
      method: pick(METHODS),
      backend: [backend],
      ...(chance(0.4) ? { input_query_strings: pick([['*'], ['q', 'query'], ['variables']]) } : {}),
      ...(chance(0.3) ? { input_headers: ['Content-Type', 'X-A'] } : {}),
    }
  }),
}
