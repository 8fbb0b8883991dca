// Hand-made probes of what a client can add around auth/validator's token and propagated claims:
// its own lines of a propagated header (any case, repeated, a claim the token lacks), repeated and
// odd Authorization lines, cookie forms, a custom token header, and per-client rate limits keyed on
// a header or IP a claim was propagated into, and {JWT.sub} in a url_pattern. Against KrakenD CE
// 2.13.8 over HTTP/1.1, --h2c and --yaml: 0 of 53 differ in each.
import { sign } from '../backend.ts'
import type { Case } from '../run.ts'

const hs = (c: object) => sign(c, { alg: 'HS256', kid: 'h1' })
const full = hs({ sub: 'alice', roles: ['a', 'b'], obj: { a: 'x' }, num: 12.5, ip: '9.9.9.9' })
const bare = hs({ iss: 'i' })
const B = (t: string): [string, string] => ['Authorization', `Bearer ${t}`]
const client: Array<[string, string]> = [
  ['X-User', 'admin'],
  ['x-user', 'root'],
  ['X-Missing', 'admin'],
  ['X-ROLES', 'admin'],
  ['X-Nested', 'admin'],
  ['X-Num', '1'],
  ['X-Other', 'o'],
]
export const cases: Case[] = [
  ...['/pc', '/pca'].flatMap((path): Case[] => [
    { path, headers: [B(full), ...client] },
    { path, headers: [...client, B(bare)] },
    { path, headers: [B(hs({ sub: ['x', 'y'], roles: [], obj: 'no', num: 3 })), ...client] },
    {
      path,
      headers: [B(hs({ sub: null, roles: [1, true, null, { a: 1 }], obj: { a: ['p', 'q'] } })), ...client],
    },
    { path, headers: [B(hs({ sub: 'ü\u2028x', roles: 'r', obj: { a: 5 }, num: 1e21 })), ...client] },
  ]),
  { path: '/pc', headers: [['Authorization', 'Bearer junk'], B(full)] },
  { path: '/pc', headers: [['Authorization', ''], B(full)] },
  { path: '/pc', headers: [['Authorization', `bEaReR ${full}`]] },
  { path: '/pc', headers: [['Authorization', `Bearer  ${full}`]] },
  { path: '/pc', headers: [['Authorization', `Bearer\t${full}`]] },
  { path: '/pc', headers: [['Authorization', full]] },
  { path: '/pc', headers: [['Authorization', `Basic ${full}`]] },
  { path: '/pc', headers: [['Authorization', `Bearer ${full} x`]] },
  { path: '/pc', headers: [['Authorization', `Bearer ${full}.`]] },
  { path: '/pc', headers: [['Authorization', `Bearer ${full.replaceAll('.', ' . ')}`]] },
  { path: '/ck', headers: [['Cookie', `jwt=a\\b; jwt=${full}`]] },
  { path: '/ck', headers: [['Cookie', `jwt="${full}"`]] },
  {
    path: '/ck',
    headers: [
      ['Cookie', 'jwt=junk'],
      ['Cookie', `jwt=${full}`],
    ],
  },
  {
    path: '/ck',
    headers: [
      ['Cookie', `a=1`],
      ['Cookie', `jwt=${full}`],
    ],
  },
  {
    path: '/ck',
    headers: [
      ['Cookie', `jwt=`],
      ['Cookie', `jwt=${full}`],
    ],
  },
  { path: '/ck', headers: [['Cookie', `JWT=${full}`]] },
  { path: '/ck', headers: [['Cookie', ` jwt = ${full} `]] },
  { path: '/ck', headers: [['Cookie', `jwt=${full},x`]] },
  {
    path: '/ck',
    headers: [
      ['Cookie', `jwt=${full}`],
      ['Authorization', 'Bearer'],
    ],
  },
  {
    path: '/ck',
    headers: [
      ['Cookie', `jwt=${full}`],
      ['Authorization', 'Bearer '],
    ],
  },
  {
    path: '/ck',
    headers: [
      ['Cookie', `jwt=${full}`],
      ['Authorization', ''],
    ],
  },
  {
    path: '/ck',
    headers: [
      ['Cookie', `jwt=${full}`],
      ['Authorization', 'Bearer x'.slice(0, 8)],
    ],
  },
  { path: '/ck', headers: [['Cookie', `access_token=${full}`]] },
  { path: '/ck', headers: [['Cookie', `jwt=x"${full}"`]] },
  { path: '/hn', headers: [['X-Token', `Bearer ${full}`]] },
  { path: '/hn', headers: [['x-token', full]] },
  { path: '/hn', headers: [B(full)] },
  {
    path: '/hn',
    headers: [
      ['X-Token', ''],
      ['X-Token', full],
    ],
  },
  { path: '/hn', headers: [['Cookie', `access_token=${full}`]] },
  ...['a', 'b', 'c', 'd'].map((u): Case => ({ path: '/rl', headers: [B(full), ['X-User', u]] })),
  ...['1.1.1.1', '2.2.2.2'].map(
    (u): Case => ({
      path: '/rlip',
      headers: [B(full), ['X-Real-IP', u], ['X-Forwarded-For', u]],
    }),
  ),
  ...['1.1.1.1', '2.2.2.2', '3.3.3.3'].map(
    (u): Case => ({
      path: '/rlipkey',
      headers: [B(full), ['X-Client', u]],
    }),
  ),
  { path: '/jp/1', headers: [B(full)] },
  { path: '/jp/1', headers: [B(bare)] },
  { path: '/jp/1', headers: [B(hs({ sub: '../admin?x=1#f' }))] },
  { path: '/jp/1', headers: [B(hs({ sub: 5.5 }))] },
  { path: '/jp/1', headers: [B(hs({ sub: { a: 1 } }))] },
]
