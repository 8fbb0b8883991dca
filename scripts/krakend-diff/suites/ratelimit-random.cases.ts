// Seeded requests (SEED=, CASES=, ENDPOINTS= as the config's) for ratelimit-random.config.ts: a
// small pool of keys (X-Client, X-Key, X-Forwarded-For, path parameter) so buckets fill and refuse.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import type { Case } from '../run.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 7919 + 5)
const endpoints = Number(process.env.ENDPOINTS ?? 10)
const KEYS = ['1.1.1.1', '2.2.2.2', '1.1.1.1:80', ' 1.1.1.1', 'k', 'K', '', '3.3.3.3, 1.1.1.1']
const PARAMS = ['a', 'b', '%61', 'a%2Fb']

// ODD=1: also keys net.ParseIP refuses or reads otherwise (leading zeros, 256, IPv6 with and
// without a port, tabs, an empty first item) and a header repeated or in another case. Drawn from a
// stream of their own, so a seed's other draws are those without ODD.
const odd = process.env.ODD === '1' ? seededRandom(Number(process.env.SEED ?? 1) * 6007 + 41) : undefined
const ODD_KEYS = [
  '01.1.1.1',
  '1.1.1.256',
  '::1',
  '[::1]:80',
  '2001:db8::1',
  '::ffff:1.1.1.1',
  '1.1.1.1\t',
  '\t1.1.1.1',
  '1.1.1.1 ,2.2.2.2',
  ',1.1.1.1',
  '1.1.1.1:80:90',
  '1.1.1.1.',
  '0x1.1.1.1',
  'k, K',
]

function oddHeaders(headers: Array<[string, string]>): void {
  if (odd === undefined) return
  for (const name of ['X-Client', 'X-Key', 'X-Forwarded-For']) {
    const roll = odd.next()
    if (roll < 0.2) headers.push([name, odd.pick(ODD_KEYS)])
    else if (roll < 0.3) headers.push([name.toLowerCase(), odd.pick([...KEYS, ...ODD_KEYS])])
  }
}

// ODD=1 also swaps a third of the path parameters for spellings gin decodes, refuses or keeps as
// bytes (UTF-8 escaped in either case, raw UTF-8 and Latin-1 bytes, invalid escapes, %00, +, ;, a
// decomposed é), from one more stream of their own: a seed's headers and endpoints stay as drawn.
const oddParams =
  process.env.ODD === '1' ? seededRandom(Number(process.env.SEED ?? 1) * 6011 + 47) : undefined
const ODD_PARAMS = [
  '%C3%A9',
  '%c3%a9',
  '%E9',
  '%',
  '%zz',
  '%2',
  'A',
  '%41',
  '%00',
  '+',
  '%20',
  'a;b',
  'a%3Bb',
  '%25',
  '%2561',
  '%7E',
  'a%09',
  '%FF%FE',
]
/** Raw bytes in the path, which Node's client will not write: the case goes as raw HTTP/1. */
const RAW_PARAMS = ['é', 'e\u0301', '\u00e9']

function path(endpoint: number, param: string, headers: Array<[string, string]>): Case {
  const roll = oddParams?.next() ?? 1
  if (oddParams === undefined || roll >= 0.35) return { path: `/r${endpoint}/${param}`, headers }
  if (roll >= 0.1) return { path: `/r${endpoint}/${oddParams.pick(ODD_PARAMS)}`, headers }
  const raw = oddParams.pick(RAW_PARAMS)
  const bytes = raw === '\u00e9' ? '\xe9' : Buffer.from(raw, 'utf8').toString('latin1')
  const lines = headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')
  return {
    path: `/r${endpoint}/${raw}`,
    raw: `GET /r${endpoint}/${bytes} HTTP/1.1\r\nHost: localhost\r\n${lines}Connection: close\r\n\r\n`,
  }
}

export const cases: Case[] = Array.from({ length: Number(process.env.CASES ?? 150) }, () => {
  const headers: Array<[string, string]> = []
  for (const name of ['X-Client', 'X-Key', 'X-Forwarded-For'])
    if (rnd() < 0.5) headers.push([name, pick(KEYS)])
  oddHeaders(headers)
  return path(Math.floor(rnd() * endpoints), pick(PARAMS), headers)
})
