// Seeded security/bot-detector settings (SEED=) at service and endpoint level: allow, deny,
// Go patterns (anchors, classes, case-insensitive flags, alternations), cache_size (the LRU's
// verdicts kept), empty_user_agent_is_bot; for botdetector.cases.ts.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 49979687 + 13)
for (let i = 0; i < 5; i += 1) rnd()
const some = (list: string[]) => list.filter(() => rnd() < 0.4)

const PATTERNS = [
  'bot',
  '^curl/',
  '(?i)spider',
  'crawl(er)?$',
  '[Ss]lurp',
  '^$',
  '\\bwget\\b',
  'Go-http-client/\\d',
  '^Mozilla/5\\.0 \\(compatible; \\w+bot',
  '\\x{e9}',
]
const EXACT = ['curl/8.0', 'Googlebot', 'googlebot', 'evil', 'evil ', 'Mozilla/5.0', 'é', 'botgood', '']

function detector(): Record<string, unknown> {
  const out: Record<string, unknown> = { patterns: some(PATTERNS), allow: some(EXACT), deny: some(EXACT) }
  if (rnd() < 0.5) out.empty_user_agent_is_bot = rnd() < 0.7
  if (rnd() < 0.4) out.cache_size = pick([1, 2, 100])
  return out
}

export const config = {
  version: 3,
  name: 'botdetector',
  host: ['BACKEND'],
  timeout: '3s',
  extra_config: {
    router: { disable_access_log: true },
    ...(rnd() < 0.5 ? { 'security/bot-detector': detector() } : {}),
  },
  endpoints: [
    { endpoint: '/open', backend: [{ url_pattern: '/obj', allow: ['a'] }] },
    {
      endpoint: '/guarded',
      extra_config: { 'security/bot-detector': detector() },
      backend: [{ url_pattern: '/obj', allow: ['a'] }],
    },
  ],
}
