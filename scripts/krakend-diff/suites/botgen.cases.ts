// Seeded requests for botgen.config.ts (SEED=, N= cases, 200 by default), sent in order so the
// detectors' LRU caches hold what came before: User-Agents drawn from the endpoint's own allow/deny
// strings and pattern words, and near misses (letter case, a prefix or suffix, spaces and tabs
// around and inside, Unicode, long); none, empty, and two or three lines (Go reads the first), the
// name in any case; X-Rewrite for the service-level Lua that copies it into User-Agent; a JWT now
// and then. 15% go as raw HTTP/1 bytes (skipped over --h2c): an empty or blank User-Agent line
// first, tabs and spaces around the value, upper-case names, HTTP/1.0, raw UTF-8 and obs-text bytes.
import { jsonFold } from '../../../src/config/json-keys.ts'
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { sign } from '../backend.ts'
import type { Case } from '../run.ts'
import { config, drawnDetectors, EXACT, WORDS } from './botgen.config.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 104729 + 3)
const maybe = (p: number) => rnd() < p

/** A string's UTF-8 bytes, one latin1 character each (as a client sends them). */
const latin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1')

/** The strings an endpoint's detector names (exact entries, pattern words), else every pool. */
function ownStrings(i: number): string[] {
  const d = drawnDetectors[i] ?? {}
  const out: string[] = []
  for (const [key, value] of Object.entries(d))
    if (Array.isArray(value))
      for (const item of value)
        if (typeof item === 'string')
          out.push(
            jsonFold(key) === 'patterns'
              ? (item.match(/[A-Za-z\u00c0-\uffff]+/g) ?? ['bot']).join(pick(['', ' ', '/']))
              : item,
          )
  return out.length > 0 ? out : [...EXACT, ...WORDS]
}

function nearMiss(s: string): string {
  switch (Math.floor(rnd() * 12)) {
    case 0:
      return s.toUpperCase()
    case 1:
      return s.toLowerCase()
    case 2:
      return `x${s}`
    case 3:
      return `${s}x`
    case 4:
      return `Mozilla/5.0 (compatible; ${s}/2.1)`
    case 5:
      return s.slice(0, Math.max(1, s.length - 1))
    case 6:
      return `${s}${pick(['1', '9', '_', '-', '.', '/'])}${pick(WORDS)}`
    case 7:
      return s.replace(/\w/, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()))
    case 8:
      return s.repeat(1 + Math.floor(rnd() * 40))
    case 9:
      return `${s} ${pick(['\u00e9', '\u0130', '\u212a', '\u017f', 'ß', '\u00a0', '\u2028', 'İ'])}`
    default:
      return s
  }
}

function userAgent(i: number): string {
  const roll = rnd()
  if (roll < 0.08) return ''
  if (roll < 0.12) return pick([' ', '\t', '  '])
  const base = maybe(0.8) ? pick(ownStrings(i)) : pick([...EXACT, ...WORDS])
  return latin1(maybe(0.6) ? nearMiss(base) : base)
}

function oneCase(): Case {
  const endpoints = config.endpoints.length
  const roll = rnd()
  const i = Math.floor(rnd() * endpoints)
  const path = roll < 0.9 ? `/e${i}` : pick(['/nowhere', `/e${i}/`, `/E${i}`])
  const headers: Array<[string, string]> = []
  const lines = maybe(0.1) ? 0 : maybe(0.85) ? 1 : 2 + Math.floor(rnd() * 2)
  for (let n = 0; n < lines; n += 1)
    headers.push([pick(['User-Agent', 'User-Agent', 'user-agent', 'USER-AGENT']), userAgent(i)])
  if (maybe(0.1)) headers.push(['X-Rewrite', userAgent(i)])
  if (maybe(0.15))
    headers.push(['Authorization', `Bearer ${sign({ sub: 'u' }, { alg: 'HS256', kid: 'h1' })}`])
  if (maybe(0.05)) headers.push(['Origin', 'https://app.example.com'])
  return { method: maybe(0.1) ? pick(['HEAD', 'POST', 'OPTIONS']) : 'GET', path, headers }
}

/** The case as raw HTTP/1 bytes, its User-Agent lines bent one way. */
function raw(c: Case): Case {
  const lines = (c.headers ?? []).map(([name, value]) => `${name}: ${value}`)
  let version = 'HTTP/1.1'
  switch (Math.floor(rnd() * 6)) {
    case 0:
      lines.unshift(pick(['User-Agent:', 'User-Agent: ', 'User-Agent: \t', 'user-agent:\t\t']))
      break
    case 1:
      for (const [i, l] of lines.entries())
        lines[i] = l.replace(
          /^(user-agent):\s?(.*)$/i,
          (_, n, v) => `${n}:${pick(['\t', '  ', ''])}${v}${pick(['\t', ' ', '  \t', ''])}`,
        )
      break
    case 2:
      version = 'HTTP/1.0'
      break
    case 3:
      lines.push(`User-Agent: ${pick(['\xff\xfebot', 'bot\x80', '\xc3\xa9', '\xe2\x82', 'b\tot', 'b o t'])}`)
      break
    case 4:
      for (const [i, l] of lines.entries()) lines[i] = l.replace(/^[^:]+/, (n) => n.toUpperCase())
      break
    default:
      lines.unshift(`User-Agent: ${pick(EXACT.slice(0, 10))}`)
  }
  lines.push('Host: localhost')
  const text = `${c.method} ${c.path} ${version}\r\n${lines.join('\r\n')}\r\nConnection: close\r\n\r\n`
  return { ...c, raw: text }
}

export const cases: Case[] = Array.from({ length: Number(process.env.N ?? 200) }, () => {
  const c = oneCase()
  return maybe(0.15) ? raw(c) : c
})
