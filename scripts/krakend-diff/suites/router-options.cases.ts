// Seeded requests (SEED=, CASES=) for router-options.config.ts: the endpoints' own paths with
// changes gin's options decide about (double slashes, a trailing slash added or dropped, a letter's
// case, a percent-encoded segment, dot segments, a query), under every method the endpoints use
// and some they do not. Left out, as deliberate differences (README): a `.`/`..` path parameter
// (a 400 here), a leading `//` (a redirect's Location that reads as `//host` is cleaned to `/host`)
// and /__health (gwdeploy's own).
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import type { Case } from '../run.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 7727 + 9)
const BASES = ['/a', '/a/1', '/a/1/c', '/b/', '/Up/x', '/d/1/2', '/fail', '/nowhere']
const ENCODED = ['%2F', '%20', '%61', '%25', 'a%3Fb', '', 'A', '%7E', '%2E%2E%2F']
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH']

const MUTATIONS: Array<(path: string) => string> = [
  (p) => p.replace(/(?!^)\//g, (s) => (rnd() < 0.3 ? '//' : s)),
  (p) => (p.endsWith('/') ? p.slice(0, -1) : `${p}/`),
  (p) => {
    const i = Math.floor(rnd() * p.length)
    const ch = p[i] as string
    return p.slice(0, i) + (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase()) + p.slice(i + 1)
  },
  (p) => {
    const parts = p.split('/')
    const i = 1 + Math.floor(rnd() * (parts.length - 1))
    parts[i] = pick(ENCODED)
    return parts.join('/')
  },
  (p) => p.replace(/^\/([^/]*)/, (m) => (rnd() < 0.5 ? `${m}/..${m}` : `/.${m}`)),
  (p) => `${p}?q=${pick(['1', '%2F', 'a b'.replace(' ', '+')])}`,
]

export const cases: Case[] = Array.from({ length: Number(process.env.CASES ?? 150) }, () => {
  let path = pick(BASES)
  const changes = Math.floor(rnd() * 3)
  for (let i = 0; i < changes; i += 1) path = pick(MUTATIONS)(path)
  const method = pick(METHODS)
  return { method, path, ...(method === 'POST' || method === 'PUT' ? { body: 'x' } : {}) }
})
