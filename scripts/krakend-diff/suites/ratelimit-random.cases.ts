// Seeded requests (SEED=, CASES=, ENDPOINTS= as the config's) for ratelimit-random.config.ts: a
// small pool of keys (X-Client, X-Key, X-Forwarded-For, path parameter) so buckets fill and refuse.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import type { Case } from '../run.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 7919 + 5)
const endpoints = Number(process.env.ENDPOINTS ?? 10)
const KEYS = ['1.1.1.1', '2.2.2.2', '1.1.1.1:80', ' 1.1.1.1', 'k', 'K', '', '3.3.3.3, 1.1.1.1']
const PARAMS = ['a', 'b', '%61', 'a%2Fb']

export const cases: Case[] = Array.from({ length: Number(process.env.CASES ?? 150) }, () => {
  const headers: Array<[string, string]> = []
  for (const name of ['X-Client', 'X-Key', 'X-Forwarded-For'])
    if (rnd() < 0.5) headers.push([name, pick(KEYS)])
  return { path: `/r${Math.floor(rnd() * endpoints)}/${pick(PARAMS)}`, headers }
})
