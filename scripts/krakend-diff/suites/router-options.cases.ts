// Seeded requests (SEED=, CASES=) for router-options.config.ts: the endpoints' own paths with
// changes gin's options decide about (double slashes, a trailing slash added or dropped, a letter's
// case, a percent-encoded segment, dot segments, a query), under every method the endpoints use
// and some they do not. Left out, as deliberate differences (README): a `.`/`..` path parameter
// (a 400 here), a leading `//` (a redirect's Location that reads as `//host` is cleaned to `/host`)
// and /__health (gwdeploy's own). Then, from a stream of their own (a seed's cases before them stay
// as they were; TARGETS= how many, 30), raw HTTP/1.1 targets Go routes on another path than a
// plain one: absolute-form with and without a path (Go's URL.Path empty: no route, or gin's
// redirects), and CONNECT authorities (`x/a` routed on `/a`, `x:443` on the empty path).
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

const targets = seededRandom(Number(process.env.SEED ?? 1) * 7727 + 11)
const AUTHORITIES = ['localhost', 'localhost:80', 'u@localhost', 'LOCALHOST', 'x:443', '[::1]:8080']
const raw = (method: string, target: string): Case => ({
  method,
  path: target,
  raw: `${method} ${target} HTTP/1.1\r\nHost: localhost\r\n${method === 'POST' || method === 'PUT' ? 'Content-Length: 0\r\n' : ''}Connection: close\r\n\r\n`,
})
cases.push(
  ...Array.from({ length: Number(process.env.TARGETS ?? 30) }, () => {
    const authority = targets.pick(AUTHORITIES)
    const path = targets.next() < 0.5 ? '' : targets.pick([...BASES, '/', '//', '/.', '/..'])
    const query = targets.next() < 0.3 ? targets.pick(['?q=1', '?', '?a=%2F']) : ''
    const connect = targets.next() < 0.3
    if (connect) return raw('CONNECT', `${targets.next() < 0.5 ? authority : 'x'}${path}${query}`)
    const scheme = targets.pick(['http', 'http', 'https', 'HTTP'])
    return raw(targets.pick(METHODS), `${scheme}://${authority}${path}${query}`)
  }),
)
