// Seeded User-Agents (SEED=, CASES=) for botdetector.config.ts: the configured strings and near
// misses (case, spaces, prefixes), UTF-8, none, empty and repeated lines (Go reads the first).
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import type { Case } from '../run.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 6131 + 1)
const AGENTS = [
  'curl/8.0',
  'curl/7',
  'xcurl/8.0',
  'Googlebot',
  'googlebot',
  'GOOGLEBOT/2.1',
  'evil',
  'evil ',
  ' evil',
  'Mozilla/5.0',
  'Mozilla/5.0 (compatible; Bingbot/2.0)',
  'é',
  'caf\u00e9',
  'botgood',
  '',
  'Slurp',
  'crawler',
  'crawl',
  'a wget b',
  'wgetx',
  'Go-http-client/1.1',
  'SPIDER-man',
]

export const cases: Case[] = Array.from({ length: Number(process.env.CASES ?? 120) }, () => {
  const lines = Math.floor(rnd() * 3)
  const headers: Array<[string, string]> = []
  for (let i = 0; i < lines; i += 1)
    headers.push(['User-Agent', Buffer.from(pick(AGENTS), 'utf8').toString('latin1')])
  return { path: rnd() < 0.6 ? '/guarded' : '/open', headers }
})
