/**
 * `security/bot-detector` (service and endpoint level), as krakend-botdetector: the User-Agent is
 * checked against `allow` (exact), then `deny` (exact), then `patterns` (regular expressions); an
 * empty User-Agent is a bot only with `empty_user_agent_is_bot`. A bot gets 403 with no body.
 * `cache_size` keeps the verdicts of that many recent User-Agents.
 */
import type { Fields } from './fields.ts'
import { header, type IncomingLike, type Reply } from './types.ts'

export interface BotDetectorConfig {
  allow: string[]
  deny: string[]
  patterns: Array<{ source: string; flags: string }>
  cacheSize: number
  rejectEmpty: boolean
}

/** Go's RE2 leading `(?i)`/`(?s)`/`(?m)` flags become JavaScript flags. */
function toJsPattern(pattern: string): { source: string; flags: string } {
  const m = /^\(\?([ims]+)\)/.exec(pattern)
  return m ? { source: pattern.slice(m[0].length), flags: m[1] as string } : { source: pattern, flags: '' }
}

export function parseBotDetector(f: Fields): BotDetectorConfig {
  const patterns: BotDetectorConfig['patterns'] = []
  for (const [i, p] of (f.strings('patterns') ?? []).entries()) {
    const js = toJsPattern(p)
    try {
      new RegExp(js.source, js.flags)
      patterns.push(js)
    } catch (error) {
      f.report.error(
        [...f.at('patterns'), i],
        `pattern ${JSON.stringify(p)} is not a valid regular expression: ${(error as Error).message}`,
        'KrakenD would disable the whole bot detector; fix the pattern',
      )
    }
  }
  return {
    allow: f.strings('allow') ?? [],
    deny: f.strings('deny') ?? [],
    patterns,
    cacheSize: Math.floor(f.number('cache_size') ?? 0),
    rejectEmpty: f.bool('empty_user_agent_is_bot'),
  }
}

const FORBIDDEN: Reply = { status: 403, headers: {}, body: '' }

export function compileBotDetector(
  cfg: BotDetectorConfig,
  log: (message: string) => void,
): (req: IncomingLike) => Reply | undefined {
  const allow = new Set(cfg.allow)
  const deny = new Set(cfg.deny)
  const patterns = cfg.patterns.map((p) => new RegExp(p.source, p.flags))
  const isBot = (ua: string): boolean => {
    if (ua === '') return cfg.rejectEmpty
    if (allow.has(ua)) return false
    if (deny.has(ua)) return true
    return patterns.some((p) => p.test(ua))
  }
  let check = isBot
  if (cfg.cacheSize > 0) {
    const cache = new Map<string, boolean>()
    check = (ua) => {
      const hit = cache.get(ua)
      if (hit !== undefined) {
        cache.delete(ua)
        cache.set(ua, hit)
        return hit
      }
      const verdict = isBot(ua)
      cache.set(ua, verdict)
      if (cache.size > cfg.cacheSize) cache.delete(cache.keys().next().value as string)
      return verdict
    }
  }
  return (req) => {
    if (!check(header(req, 'user-agent') ?? '')) return undefined
    log('bot rejected')
    return FORBIDDEN
  }
}
