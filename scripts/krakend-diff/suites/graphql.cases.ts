// Random requests (seeded: SEED=, N= how many) over graphql.config.ts's endpoints: params, query
// strings that name GraphQL's own parameters, and client bodies a mutation reads as its variables
// (JSON objects, null, arrays, bad JSON, numbers beyond float64, lone surrogates, trailing text);
// ODD=1 also params with quotes, backslashes, braces and newlines (the other draws as without it).
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import type { Case } from '../run.ts'
import { config } from './graphql.config.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 5) * 104729 + 29)
const BODIES = [
  '{"id":"7","name":"Bob"}',
  '{"n":1.0,"deep":{"x":[1,2]},"id":3}',
  '',
  'null',
  '[1]',
  '{bad',
  '{"big":1e400}',
  '{"s":"\\ud800"}',
  '{"a":1} trailing',
  '{"query":"evil","variables":{"x":1}}',
  '"str"',
]
const IDS = ['42', 'a%20b', 'x', 'caf%C3%A9']
// ODD=1: params that JSON and GraphQL quote (a quote, a backslash, braces, a newline, a placeholder).
const ODD = process.env.ODD === '1'
const ODD_IDS = ['a%22b', '%5C', '%7Bid%7D', 'x%0Ay', '%22%7D%2C%22x%22%3A%22', '%E2%80%A8', '-1e999']
export const cases: Case[] = Array.from({ length: Number(process.env.N ?? 120) }, () => {
  const ep = pick(config.endpoints) as { endpoint: string; method: string }
  const path =
    ep.endpoint.replace('{id}', pick(ODD ? [...IDS, ...ODD_IDS] : IDS)) +
    pick(['', '?q=1&query=evil', '?variables=%7B%7D'])
  if (ep.method === 'GET' || rnd() < 0.2) return { method: ep.method, path }
  return {
    method: ep.method,
    path,
    headers: [['Content-Type', pick(['application/json', 'text/plain'])]],
    body: pick(BODIES),
  }
})
