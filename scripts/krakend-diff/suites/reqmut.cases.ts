// Requests for reqmut.config.ts, each a request one guard blocks or changes, mutated one way at a
// time: header name case, repeats, spaces and tabs, empty and comma-joined values, path spellings
// (`/PATH`, `//path`, `/./path`, `%2F`, `%2e`), query repeats and encodings, method case, HTTP/1.0
// and absolute-form targets, Content-Length / Transfer-Encoding pairs and a second request smuggled
// behind the first. `raw` cases are written byte for byte (HTTP/1 only; left out under --h2c);
// the others also go over h2c, where `authority` sets `:authority` beside a `host` field. Then
// seeded ones (SEED=, N=): a guarded base request with one to three mutations drawn at random.
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import type { Case } from '../run.ts'
import { allowCases, celCases, schemaCases } from './reqmut-checks.ts'
import {
  botCases,
  cookieCases,
  jwtCases,
  luaCases,
  martianCases,
  rlCases,
  roleCases,
} from './reqmut-guards.ts'
import {
  ADMIN,
  auth,
  BAD,
  cookie,
  type Fields,
  GOOD,
  get,
  host,
  NOSUB,
  preflight,
  USER,
  ua,
} from './reqmut-requests.ts'
import { byteCases, corsCases, hostCases, methodCases, smuggleCases, unreadCases } from './reqmut-wire.ts'

// Seeded: a guarded base request, one to three mutations drawn from the ones above.
const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 15485863 + 11)
const BASES: Array<() => Case> = [
  () => get('/jwt', auth(`Bearer ${pick([GOOD, BAD, NOSUB])}`)),
  () => get('/jwt-cookie', cookie(`tok=${pick([GOOD, BAD])}`)),
  () => get('/jwt-roles/x', auth(`Bearer ${pick([ADMIN, USER])}`)),
  () => get('/bot', ua(pick(['evil', 'xbot', 'curl/1', 'Mozilla/5.0', 'botgood', '']))),
  () =>
    get('/cel-h', [['X-Pass', pick(['yes', 'no'])], ...(rnd() < 0.5 ? ([['X-Deny', '1']] as Fields) : [])]),
  () => get(`/cel-q?${pick(['q=evil', 'q=good', 'r=1', 'q=good&r=', 'q=evil&q=good'])}`),
  () => get(`/cel-p/${pick(['admin', 'user'])}`),
  () =>
    get('/martian?secret=s&trig=on', [
      ['X-Secret', 's'],
      ['X-Trigger', 'on'],
    ]),
  () => ({
    path: '/allow?a=1&c=3',
    method: 'POST',
    body: '{}',
    headers: [
      ['X-Allowed', '1'],
      ['X-Other', '2'],
    ],
  }),
  () => ({ path: '/schema', method: 'POST', body: pick(['{"n":1}', '{"n":11}', '{}', '']) }),
  () => get('/open', [...host(pick(['localhost', 'evil.example', 'good.example']))]),
  () => preflight(pick(['https://a.example', 'https://evil.example', 'http://x.b.example'])),
]
const MUTATIONS: Array<(c: Case) => Case> = [
  (c) => ({
    ...c,
    headers: (c.headers ?? []).map(([n, v]) => [pick([n.toLowerCase(), n.toUpperCase(), n]), v]),
  }),
  (c) => ({ ...c, headers: (c.headers ?? []).flatMap((f) => (rnd() < 0.5 ? [f, f] : [f])) }),
  (c) => ({
    ...c,
    headers: (c.headers ?? []).map(([n, v]) => [n, pick([` ${v}`, `${v} `, `${v}\t`, `\t${v}`])]),
  }),
  (c) => ({
    ...c,
    headers: (c.headers ?? []).map(([n, v]) => [n, pick(['', `${v}, x`, `x, ${v}`, `${v},${v}`])]),
  }),
  (c) => ({
    ...c,
    headers: [...(c.headers ?? []), ...(c.headers ?? []).map(([n]) => [n, 'other'] as [string, string])],
  }),
  (c) => ({
    ...c,
    headers: [...(c.headers ?? []).map(([n]) => [n, 'other'] as [string, string]), ...(c.headers ?? [])],
  }),
  (c) => ({
    ...c,
    path: c.path.replace(/^\/[^/?]+/, (p) => pick([p.toUpperCase(), `/${p}`, `/.${p}`, `${p}/`, `${p}%2F`])),
  }),
  (c) => ({ ...c, path: c.path.replace(/[a-z]/, (ch) => `%${ch.charCodeAt(0).toString(16)}`) }),
  (c) => ({
    ...c,
    path: c.path.includes('?')
      ? c.path.replace('?', pick(['?&', '?x;', '?%61=1&']))
      : `${c.path}?${pick(['a', ';', '#'])}`,
  }),
  (c) => ({ ...c, method: (c.method ?? 'GET').toLowerCase() }),
  (c) => ({
    ...c,
    headers: [...(c.headers ?? []), ['Host', pick(['localhost', 'LOCALHOST', 'evil.example'])]],
  }),
  (c) => ({
    ...c,
    headers: [...(c.headers ?? []), ['X-Forwarded-Host', pick(['localhost', 'evil.example', ''])]],
  }),
]
const seeded: Case[] = Array.from({ length: Number(process.env.N ?? 60) }, () => {
  let c = pick(BASES)()
  for (let i = 0, n = 1 + Math.floor(rnd() * 3); i < n; i++) c = pick(MUTATIONS)(c)
  return c
})

export const cases: Case[] = [
  ...jwtCases,
  ...cookieCases,
  ...roleCases,
  ...botCases,
  ...rlCases,
  ...celCases,
  ...schemaCases,
  ...smuggleCases,
  ...unreadCases,
  ...methodCases,
  ...luaCases,
  ...martianCases,
  ...allowCases,
  ...hostCases,
  ...corsCases,
  ...byteCases,
  ...seeded,
]
