// Random requests (seeded: SEED=, N= how many) over mixed.config.ts's endpoints.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import type { Case } from '../run.ts'
import { config } from './mixed.config.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 11) * 104729 + 3)
const PARAMS = ['1', 'abc', 'a%20b', 'caf%C3%A9', 'x%2Fy']
const QS = ['', '?a=1', '?a=1&b=2&c=3', '?p=q&a=%20', '?b=x&b=y']
const HEADERS: Array<[string, string]> = [
  ['X-A', 'v1'],
  ['Content-Type', 'application/json'],
  ['Accept', 'application/xml'],
  ['Accept', 'text/plain'],
  ['Accept', 'application/x-yaml'],
  ['Accept', 'application/json'],
  ['Accept', '*/*'],
  ['Cookie', 'a=1'],
]
export const cases: Case[] = Array.from({ length: Number(process.env.N ?? 120) }, () => {
  const ep = pick(config.endpoints) as { endpoint: string; method?: string }
  const path = ep.endpoint.replace('{p}', () => pick(PARAMS)) + pick(QS)
  const method = rnd() < 0.9 ? (ep.method ?? 'GET') : pick(['GET', 'POST', 'HEAD'])
  const headers: Array<[string, string]> = []
  const n = Math.floor(rnd() * 3)
  for (let i = 0; i < n; i++) headers.push(pick(HEADERS))
  const body =
    method === 'POST' || method === 'PUT' || method === 'PATCH' ? pick(['', '{"a":1}', 'plain']) : undefined
  return { method, path, headers, ...(body !== undefined ? { body } : {}) }
})
