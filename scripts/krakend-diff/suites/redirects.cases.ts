// Each of redirects.config.ts's endpoints twice (seeded: SEED=), with credentials and sometimes a body.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import type { Case } from '../run.ts'
import { config } from './redirects.config.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 2) * 104729 + 31)
export const cases: Case[] = config.endpoints.flatMap((ep) =>
  [0, 1].map(() => {
    const headers: Array<[string, string]> = [
      ['Authorization', 'Bearer t'],
      ['Cookie', 'c=1'],
    ]
    if (ep.method === 'GET' || rnd() < 0.3) return { method: ep.method, path: ep.endpoint, headers }
    headers.push(['Content-Type', 'application/json'])
    return { method: ep.method, path: ep.endpoint, headers, body: pick(['{"a":1}', '', 'x'.repeat(100)]) }
  }),
)
