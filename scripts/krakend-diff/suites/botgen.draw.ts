// The seeded draws of botgen.config.ts: User-Agent pools, patterns from a small RE2 grammar and
// whole security/bot-detector objects (ODD: also values KrakenD disables the detector on, and
// patterns Go rejects or reads otherwise than JavaScript). botgen-configs.ts draws many seeds.
import { checkGatewayConfigText } from '../../../src/gateway/config/load.ts'
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'

/** Exact User-Agents as written in allow/deny; the cases send them and their near misses. */
export const EXACT = [
  'curl/8.0',
  'Googlebot',
  'googlebot',
  'GoodBot/1.0',
  'evil',
  'evil ',
  ' evil',
  'a  b',
  'Mozilla/5.0',
  'Mozilla/5.0 (compatible; Bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'é',
  'e\u0301',
  'café',
  'Ωmega',
  '日本語bot',
  '😀',
  'python-requests/2.31',
  'Go-http-client/1.1',
  'x'.repeat(300),
  '',
  'tab\there',
]

/** Pieces of patterns; WORDS are also what the cases build User-Agents from. */
export const WORDS = ['bot', 'curl', 'spider', 'Crawl', 'wget', 'python', 'é', 'Ω', '日本', 'go', 'x1']
const ESCAPES = [
  '\\d',
  '\\D',
  '\\w',
  '\\W',
  '\\s',
  '\\S',
  '\\.',
  '\\/',
  '\\x{e9}',
  '\\x41',
  '\\x{1F600}',
  '\\Q.*\\E',
  '\\pL',
  '\\PL',
  '\\p{Greek}',
  '\\p{Han}',
  '\\p{Lu}',
  '\\pN',
  '[[:alpha:]]',
  '[[:^digit:]]',
  '[[:space:]]',
  '\\v',
  '\\f',
  '\\t',
  '\\a',
  '.',
]
const CLASSES = [
  '[a-z]',
  '[A-Z0-9]',
  '[^a-z]',
  '[Ss]',
  '[é-ü]',
  '[^\\x00-\\x7f]',
  '[\\w.-]',
  '[^/]',
  '[\\d\\s]',
]
const REPEATS = ['*', '+', '?', '{2}', '{1,3}', '{0,}', '*?', '+?', '{2,}?', '{0}']
/** Go rejects these (or reads them otherwise than JavaScript): drawn with ODD=1. */
export const INVALID = [
  '(?=bot)',
  '(?!bot)',
  'a{1001}',
  '\\p{Foo}',
  '[z-a]',
  'x**',
  '\\8',
  '(bot',
  'bot)',
  '\\C',
  '\\Z',
  '(?<n>bot)',
  '\\u00e9',
  '\\cA',
  '[[:word:]]',
  '(?P<n>a)(?P<n>b)',
  '\\p{Old_Italic}',
  '\\e',
]

/** Unicode classes under (?i) are refused here (Go's Unicode 15.0 folds differ): rarely drawn there. */
const FOLDED_ESCAPES = ESCAPES.filter((e) => !/^\\[pP]/.test(e))

const CACHE_SIZES: unknown[] = [0, 1, 2, 3, 16, 1000, 2 ** 31, 1e9, null]
const ODD_CACHE_SIZES: unknown[] = [-1, 1.5, '10', 2 ** 63, true, 1e21]
const EMPTY_IS_BOT: unknown[] = [true, false, null]
const ODD_EMPTY_IS_BOT: unknown[] = ['true', 1, 0]

/** Detectors drawn from one seed, each call the next. */
export function detectorDraws(seed: number, odd: boolean) {
  const { next: rnd, pick } = seededRandom(seed * 15485863 + 7)
  for (let i = 0; i < 5; i += 1) rnd()
  const maybe = (p: number) => rnd() < p
  const some = <T>(pool: readonly T[], max: number): T[] =>
    Array.from({ length: Math.floor(rnd() * (max + 1)) }, () => pick(pool))

  function atom(depth: number, fold: boolean): string {
    const roll = rnd()
    if (roll < 0.35) return pick(WORDS)
    if (roll < 0.55) return pick(fold && !maybe(0.05) ? FOLDED_ESCAPES : ESCAPES)
    if (roll < 0.7) return pick(CLASSES)
    if (roll < 0.8 && depth < 2) {
      const open = pick(['(', '(?:', '(?i:', '(?P<g>', '(?s:'])
      return `${open}${alternation(depth + 1, fold || open === '(?i:')})`
    }
    return pick(WORDS).slice(0, 1)
  }

  function sequence(depth: number, fold: boolean): string {
    const parts = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
      const a = atom(depth, fold)
      return maybe(0.25) ? a + pick(REPEATS) : a
    })
    return parts.join(maybe(0.2) ? '\\b' : '')
  }

  function alternation(depth: number, fold: boolean): string {
    const n = maybe(0.25) ? 2 + Math.floor(rnd() * 2) : 1
    return Array.from({ length: n }, () => sequence(depth, fold)).join('|')
  }

  function pattern(): string {
    if (odd && maybe(0.05)) return pick(INVALID)
    const flags = maybe(0.25) ? pick(['(?i)', '(?s)', '(?U)', '(?im)', '(?-i)']) : ''
    const start = maybe(0.3) ? pick(['^', '\\A', '(?m)^']) : ''
    const end = maybe(0.3) ? pick(['$', '\\z', '(?m)$']) : ''
    return `${flags}${start}${alternation(0, flags.includes('i') && flags !== '(?-i)')}${end}`
  }

  /**
   * A key as written: another letter case now and then, or U+017F for an s (Go's encoding/json
   * matches keys under Unicode case folding: `patternſ` sets patterns).
   */
  const spelled = (key: string) =>
    maybe(0.12)
      ? pick([key.toUpperCase(), key[0]?.toUpperCase() + key.slice(1), key.replace('s', '\u017f')])
      : key

  function detector(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    if (maybe(0.6)) out[spelled('allow')] = some(EXACT, 3)
    if (maybe(0.7)) out[spelled('deny')] = some(EXACT, 3)
    if (maybe(0.8)) out[spelled('patterns')] = Array.from({ length: Math.floor(rnd() * 4) }, pattern)
    if (maybe(0.5))
      out[spelled('empty_user_agent_is_bot')] = pick(odd && maybe(0.2) ? ODD_EMPTY_IS_BOT : EMPTY_IS_BOT)
    if (maybe(0.5)) out[spelled('cache_size')] = pick(odd && maybe(0.3) ? ODD_CACHE_SIZES : CACHE_SIZES)
    if (maybe(0.05)) out[pick(['allow', 'deny', 'patterns'])] = null
    if (odd && maybe(0.1)) out[pick(['allow', 'deny', 'patterns'])] = pick([[null], ['a', 3], 'bot', {}])
    return out
  }

  return { detector, maybe, pick, some }
}

/** This runtime's errors for the detector alone at an endpoint (none: it is served). */
export function refusals(d: Record<string, unknown>): string[] {
  const text = JSON.stringify({
    version: 3,
    name: 'botgen',
    host: ['http://127.0.0.1:8080'],
    endpoints: [
      { endpoint: '/e', extra_config: { 'security/bot-detector': d }, backend: [{ url_pattern: '/' }] },
    ],
  })
  return checkGatewayConfigText(text, 'botgen.json').errors.map((p) => p.message)
}
