// Seeded requests (SEED=, CASES= how many) for clientip.config.ts: X-Forwarded-For with spaces,
// several lines, empty items, ports, bracketed and zoned IPv6, invalid items, more hops than
// trusted; X-Real-IP, X-Client-Ip, True-Client-IP, X-Appengine-Remote-Addr; a small pool of
// addresses so the rate-limited endpoints see keys again.
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

export const cases: Case[] = Array.from({ length: Number(process.env.CASES ?? 120) }, () => {
  const headers: Array<[string, string]> = []
  const lines = Math.floor(rnd() * 4)
  for (let i = 0; i < lines; i++) headers.push([pick(NAMES), value()])
  return { path: pick(PATHS), headers }
})
