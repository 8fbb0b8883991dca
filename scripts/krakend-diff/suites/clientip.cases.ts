// Seeded requests (SEED=, CASES= how many) for clientip.config.ts: X-Forwarded-For with spaces,
// several lines, empty items, ports, bracketed and zoned IPv6, invalid items, more hops than
// trusted; X-Real-IP, X-Client-Ip, True-Client-IP, X-Appengine-Remote-Addr; a small pool of
// addresses so the rate-limited endpoints see keys again. ODD=1 also adds, from a stream of its own
// (a seed's other draws stay as they were), items Go's strings.TrimSpace and net.ParseIP read
// otherwise: UTF-8 spaces (U+00A0, U+0085, U+200A, U+3000) and their lone Latin-1 bytes, IPv4-mapped
// and embedded IPv6 spellings, a trailing dot, an IPv4 zone, Arabic-Indic digits, `::`, `0.0.0.0`.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import type { Case } from '../run.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 7907 + 3)
const ITEMS = [
  '1.2.3.4',
  ' 1.2.3.4 ',
  '5.6.7.8',
  '6.6.6.6',
  '',
  ' ',
  '1.2.3.4:80',
  '[::1]',
  '::1',
  '2001:db8::1',
  '2001:DB8::1',
  'fe80::1%eth0',
  '01.2.3.4',
  'unknown',
  '127.0.0.1',
  '10.0.0.5',
  '10.1.2.3',
  '::ffff:10.0.0.5',
  '::ffff:127.0.0.1',
  '192.168.1.1',
  '300.1.1.1',
  '1.2.3',
  '\t7.7.7.7',
]
const NAMES = [
  'X-Forwarded-For',
  'X-Forwarded-For',
  'X-Real-IP',
  'X-Client-Ip',
  'True-Client-IP',
  'X-Appengine-Remote-Addr',
  'X-Client-Key',
]
const PATHS = ['/echo', '/ip', '/ip', '/ipkey', '/hdr', '/both', '/cel']

function value(): string {
  const n = 1 + Math.floor(rnd() * 3)
  const items = Array.from({ length: n }, () => pick(ITEMS))
  return items.join(rnd() < 0.5 ? ',' : ', ')
}

/** UTF-8 bytes as the latin1 characters the client writes them with. */
const bytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1')
const ODD_ITEMS = [
  bytes('\u00a01.2.3.4'),
  bytes('1.2.3.4\u00a0'),
  bytes('\u00855.6.7.8'),
  bytes('\u30006.6.6.6'),
  bytes('\u200a1.2.3.4'),
  '\xa01.2.3.4',
  '\x851.2.3.4',
  '1.2.3.4.',
  '1.2.3.4%eth0',
  '::FFFF:10.0.0.5',
  '::ffff:1.2.3.4',
  '0:0:0:0:0:ffff:0a00:0005',
  '2001:db8::1.2.3.4',
  '1.2.3.4 5.6.7.8',
  '0::1',
  '::',
  '0.0.0.0',
  '1.02.3.4',
  bytes('\u0661.\u0662.\u0663.\u0664'),
  ',',
]
const odd = process.env.ODD === '1' ? seededRandom(Number(process.env.SEED ?? 1) * 6007 + 43) : undefined

/** ODD=1: now and then a line of those items, or one of them among a value's. */
function oddLine(headers: Array<[string, string]>): void {
  if (odd === undefined || odd.next() >= 0.6) return
  const n = 1 + Math.floor(odd.next() * 3)
  const items = Array.from({ length: n }, () => odd.pick(odd.next() < 0.7 ? ODD_ITEMS : ITEMS))
  const line: [string, string] = [odd.pick(NAMES), items.join(odd.next() < 0.5 ? ',' : ', ')]
  headers.splice(Math.floor(odd.next() * (headers.length + 1)), 0, line)
}

export const cases: Case[] = Array.from({ length: Number(process.env.CASES ?? 120) }, () => {
  const headers: Array<[string, string]> = []
  const lines = Math.floor(rnd() * 4)
  for (let i = 0; i < lines; i++) headers.push([pick(NAMES), value()])
  oddLine(headers)
  return { path: pick(PATHS), headers }
})
