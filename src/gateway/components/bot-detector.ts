/**
 * `security/bot-detector` (service and endpoint level), as krakend-botdetector v2.3.1: the
 * User-Agent is checked against `allow` (exact), then `deny` (exact), then `patterns` (Go
 * regular expressions, RE2 syntax, see go-regexp.ts); an empty User-Agent is a bot only with
 * `empty_user_agent_is_bot`. A bot gets 403 with no body. `cache_size` keeps the verdicts of that
 * many recent User-Agents.
 */
import type { Fields } from './fields.ts'
import { compileGoRegExp, type GoRegExpError } from './go-regexp.ts'
import { isHealthRoute } from './health-route.ts'
import { header, type IncomingLike, type Reply } from './types.ts'

export interface BotDetectorConfig {
  allow: string[]
  deny: string[]
  /** Go patterns, each known to compile with Go's meaning (see compileGoRegExp). */
  patterns: string[]
  cacheSize: number
  rejectEmpty: boolean
}

/** What KrakenD does with a `null` item of each list (encoding/json decodes it as ""). */
const NULL_ITEM: Record<string, string> = {
  allow: 'it never matches: an empty User-Agent is decided by "empty_user_agent_is_bot" first',
  deny: 'it never matches: an empty User-Agent is decided by "empty_user_agent_is_bot" first',
  patterns:
    'the empty pattern matches every User-Agent, so every request that has one is refused as a bot (as in KrakenD)',
}

/**
 * A list as encoding/json decodes it into Go's []string: a `null` item is "" (the zero value), run
 * as KrakenD runs it, with a warning; an item of any other type fails the decoding (refused).
 */
function goStrings(f: Fields, key: 'allow' | 'deny' | 'patterns'): string[] {
  const list = f.raw[key]
  if (!Array.isArray(list) || !list.includes(null) || list.some((v) => v !== null && typeof v !== 'string'))
    return f.strings(key) ?? []
  for (const [i, item] of list.entries())
    if (item === null)
      f.report.warn(
        [...f.at(key), i],
        `null in "${key}" is read by KrakenD as "": ${NULL_ITEM[key]}`,
        'remove it, or write the string meant',
      )
  return list.map((item: string | null) => item ?? '')
}

export function parseBotDetector(f: Fields): BotDetectorConfig {
  const patterns: string[] = []
  for (const [i, p] of goStrings(f, 'patterns').entries()) {
    try {
      compileGoRegExp(p)
      patterns.push(p)
    } catch (error) {
      f.report.error(
        [...f.at('patterns'), i],
        `pattern ${JSON.stringify(p)} is not a Go regular expression this runtime can run: ${(error as Error).message}`,
        (error as GoRegExpError).goAccepts
          ? 'KrakenD runs it, but this runtime would match some User-Agents differently; rewrite the pattern'
          : 'KrakenD would disable the whole bot detector on a pattern Go rejects; fix or rewrite the pattern',
      )
    }
  }
  const cacheSize = f.number('cache_size')
  // Go decodes it into an int: from 2^63 on, json.Unmarshal fails and KrakenD runs no detector.
  if (cacheSize !== undefined && cacheSize >= 2 ** 63)
    f.report.error(
      f.at('cache_size'),
      `"cache_size" ${cacheSize} does not fit Go's int: KrakenD cannot decode the config and runs no bot detector`,
      'write a cache size in entries, e.g. 10000',
    )
  else if (cacheSize !== undefined && !Number.isInteger(cacheSize))
    f.report.error(
      f.at('cache_size'),
      '"cache_size" must be a whole number',
      'KrakenD cannot decode a fraction and would disable the bot detector',
    )
  return {
    allow: goStrings(f, 'allow'),
    deny: goStrings(f, 'deny'),
    patterns,
    cacheSize: cacheSize === undefined ? 0 : Math.floor(cacheSize),
    rejectEmpty: f.bool('empty_user_agent_is_bot'),
  }
}

const FORBIDDEN: Reply = { status: 403, headers: {}, body: '' }

/** A config string as Node shows header bytes: its UTF-8 encoding read as latin1. */
const asHeaderBytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1')

export function compileBotDetector(
  cfg: BotDetectorConfig,
  log: (message: string) => void,
  /** Service level only: gin registers the health route (GET) before this middleware. */
  healthPath?: string,
): (req: IncomingLike) => Reply | undefined {
  // Go compares the header's bytes with the config's UTF-8; Node hands headers over as latin1.
  const allow = new Set(cfg.allow.map(asHeaderBytes))
  const deny = new Set(cfg.deny.map(asHeaderBytes))
  const patterns = cfg.patterns.map(compileGoRegExp)
  const isBot = (ua: string): boolean => {
    if (ua === '') return cfg.rejectEmpty
    if (allow.has(ua)) return false
    if (deny.has(ua)) return true
    return patterns.some((p) => p.testHeader(ua))
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
  const isHealth = (req: IncomingLike) =>
    healthPath !== undefined && isHealthRoute(req.method, req.url ?? '/', healthPath)
  return (req) => {
    if (isHealth(req) || !check(header(req, 'user-agent') ?? '')) return undefined
    log('bot rejected')
    return FORBIDDEN
  }
}
