// Seeded requests for routegen.config.ts (SEED= as the config's, PER= requests per endpoint, 3):
// each endpoint's path (as written or as gin joins it) with its params filled from odd values (gin's
// `:p` and `x:y` written in the path too),
// then near misses — a trailing slash added or dropped, a doubled slash, `.`/`..` segments, a
// letter's case, a character or a slash percent-encoded (upper or lower hex), invalid escapes,
// a query — under every method, HEAD, OPTIONS and unknown ones; unicode as raw UTF-8 bytes or
// encoded, some as absolute-form targets (raw HTTP/1.1; `--h2c` sends the rest over h2c).
// Left out unless asked, as deviations the README lists: a `.`/`..` param value (DOTS=1: also
// dot segments inserted anywhere, where they can land on a param) and a leading `//` (LEADING=1).

import { ginRoutePath } from '../../../src/gateway/router.ts'
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import type { Case } from '../run.ts'
import { plan } from './routegen.config.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 7717 + 3)
const chance = (p: number) => rnd() < p
const per = Number(process.env.PER ?? 3)
const VALUES = [
  '1',
  'x',
  'ABC',
  'a.b',
  '%2F',
  'a%2Fb',
  '%C3%BC',
  '%c3%bc',
  'ü',
  '日本',
  '%25',
  '%3F',
  'a%20b',
  '~',
  '-',
]
const DOTS = ['.', '..', '%2E%2E', '%2e']
const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'FOO', 'get', 'GET']
const encodeUtf8 = (s: string, lower: boolean) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) => (b < 0x80 ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`))
    .map((x) => (lower ? x : x.toUpperCase()))
    .join('')

function concrete(endpoint: string): string {
  // As written, a `.`/`..` segment can land where gin's route has a param (DOTS=1 only).
  const dots = /\/\.\.?(\/|$)/.test(endpoint) && !process.env.DOTS
  const written = dots || chance(0.8) ? ginRoutePath(endpoint) : endpoint
  return written
    .split('/')
    .map((s) => {
      if (/^\{.*\}$/.test(s) || s.startsWith(':')) {
        if (process.env.DOTS && chance(0.1)) return pick(DOTS)
        return pick(VALUES)
      }
      // gin's wildcard inside a segment (`x:y`: `x`, then the param): filled like the others.
      const inside = /^([^:{}]+):[^{}]*$/.exec(s)
      if (inside) return `${inside[1]}${pick(VALUES)}`
      if (/[\u0080-\uffff]/.test(s) && chance(0.5)) return encodeUtf8(s, chance(0.3))
      return s
    })
    .join('/')
}

const MUTATIONS: Array<(p: string) => string> = [
  (p) => (p.endsWith('/') && p.length > 1 ? p.slice(0, -1) : `${p}/`),
  (p) => p.replace(/(?!^)\//, '//'),
  (p) => {
    // A `.`/`..` segment can land where a param is (DOTS=1 only).
    if (!process.env.DOTS) return p
    const parts = p.split('/')
    const at = 1 + Math.floor(rnd() * Math.max(1, parts.length - 1))
    parts.splice(at, 0, chance(0.5) ? '.' : `${pick(['a', 'zz', 'A'])}/..`)
    return parts.join('/')
  },
  (p) => {
    const letters = [...p.matchAll(/[A-Za-z]/g)].map((m) => m.index)
    if (letters.length === 0) return p
    const i = pick(letters) as number
    const c = p[i] as string
    return p.slice(0, i) + (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) + p.slice(i + 1)
  },
  (p) => {
    const letters = [...p.matchAll(/[A-Za-z.~_-]/g)].map((m) => m.index)
    if (letters.length === 0) return p
    const i = pick(letters) as number
    const hex = (p.charCodeAt(i) as number).toString(16)
    return `${p.slice(0, i)}%${chance(0.5) ? hex.toUpperCase() : hex}${p.slice(i + 1)}`
  },
  (p) => p.replace(/(?!^)\//, pick(['%2F', '%2f', '%5C'])),
  (p) => `${p}${pick(['%zz', '%', '%4', '%00', '%C3', '%FF'])}`,
  (p) => `${p}?${pick(['q=1', 'a=%2F&b', 'x=%zz', '', 'p=ü'])}`,
  (p) => `/${pick(['nope', 'A', 'users', '.well-known'])}${p}`,
]

function request(path: string): Case {
  const method = chance(0.4) ? 'GET' : pick(METHODS)
  let target = path
  for (let i = Math.floor(rnd() * 3); i > 0; i -= 1) target = pick(MUTATIONS)(target)
  if (!process.env.LEADING) target = target.replace(/^\/{2,}/, '/')
  if (!target.startsWith('/')) target = `/${target}`
  const bytes = Buffer.from(target, 'utf8').toString('latin1')
  const absolute = chance(0.1)
  if (absolute || bytes !== target) {
    const line = `${method} ${absolute ? `http://localhost${bytes}` : bytes} HTTP/1.1`
    return { method, path: target, raw: `${line}\r\nHost: localhost\r\nConnection: close\r\n\r\n` }
  }
  return { method, path: target }
}

export const cases: Case[] = plan.endpoints.flatMap((e) =>
  Array.from({ length: per }, () => request(concrete(e.endpoint))),
)
