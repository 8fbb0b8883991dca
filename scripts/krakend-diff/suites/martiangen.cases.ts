// Seeded requests for martiangen.config.ts (SEED= as the config's, CASES= requests, 12 per
// endpoint by default): each endpoint with its own method (now and then another), headers, query
// strings and cookies drawn from the pools the trees' filters and modifiers use (martiangen.trees.ts)
// and their near misses: letter case, repeated lines, empty values, spaces, UTF-8 bytes, percent-
// encoded and `+` forms, several Cookie lines, Range (body.Modifier on answers), Accept-Encoding;
// bodies on POST/PUT/DELETE; X-Block for the CEL check some backends carry.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import type { Case } from '../run.ts'
import { accepted, SEED } from './martiangen.config.ts'
import { COOKIE_NAMES, COOKIE_VALUES, HEADER_VALUES, QUERY_NAMES, QUERY_VALUES } from './martiangen.trees.ts'

const { next: rnd, pick } = seededRandom(SEED * 104729 + 3)
const maybe = (p: number) => rnd() < p
/** A string's UTF-8 bytes, one latin1 character each (as a client sends them). */
const latin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1')

const SENT_NAMES = [
  'X-Tenant',
  'x-tenant',
  'X-Mode',
  'X-Empty',
  'Accept',
  'Authorization',
  'Referer',
  'X-Stash',
  'X-Set',
]

function queryPart(): string {
  const name = pick(QUERY_NAMES)
  const value = pick(QUERY_VALUES)
  const enc = (s: string) =>
    pick([
      () => encodeURIComponent(s),
      () => encodeURIComponent(s).replaceAll('%20', '+'),
      () =>
        encodeURIComponent(s)
          .toLowerCase()
          .replace(/%[0-9a-f]{2}/g, (m) => m.toUpperCase()),
      () => latin1(s).replace(/[^\x21-\x7e]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`),
    ])()
  return maybe(0.1) ? enc(name) : `${enc(name)}=${value === '%zz' ? value : enc(value)}`
}

function cookieLine(): string {
  const pairs = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () =>
    maybe(0.1) ? pick(['', ' ', 'bare', '=x']) : `${latin1(pick(COOKIE_NAMES))}=${pick(COOKIE_VALUES)}`,
  )
  return pairs.join(pick(['; ', ';', ' ; ']))
}

function headers(): Array<[string, string]> {
  const out: Array<[string, string]> = []
  const count = Math.floor(rnd() * 5)
  for (let i = 0; i < count; i += 1) out.push([pick(SENT_NAMES), latin1(pick(HEADER_VALUES))])
  if (maybe(0.3)) out.push(['Cookie', cookieLine()])
  if (maybe(0.08)) out.push(['Cookie', cookieLine()])
  if (maybe(0.15))
    out.push([
      'Range',
      pick(['bytes=0-3', 'bytes=2-', 'bytes=0-1,3-4', 'bytes=5-1', 'bytes=x-1', 'bytes=0-999']),
    ])
  if (maybe(0.3)) out.push(['Accept-Encoding', pick(['gzip', 'identity', 'gzip, deflate', ''])])
  if (maybe(0.15)) out.push(['User-Agent', pick(['acme', 'curl/8', ''])])
  if (maybe(0.05)) out.push(['X-Block', '1'])
  return out
}

function oneCase(): Case {
  const e = pick(accepted)
  if (e === undefined) return { path: '/__health' }
  const method = maybe(0.9) ? e.method : pick(['GET', 'POST', 'PUT', 'DELETE'])
  const parts = Array.from({ length: Math.floor(rnd() * 4) }, queryPart)
  const path = `${e.endpoint}${maybe(0.05) ? '/' : ''}${parts.length > 0 || maybe(0.05) ? `?${parts.join('&')}` : ''}`
  const hs = headers()
  const body = method !== 'GET' && maybe(0.7) ? pick(['{"a":1}', 'plain', '', 'ü']) : undefined
  if (body !== undefined && maybe(0.7)) hs.push(['Content-Type', pick(['application/json', 'text/plain'])])
  return { method, path, headers: hs, ...(body !== undefined ? { body: latin1(body) } : {}) }
}

export const cases: Case[] = Array.from(
  { length: Number(process.env.CASES ?? 12 * Math.max(1, accepted.length)) },
  oneCase,
)
