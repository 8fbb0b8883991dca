import { sign } from '../backend.ts'
import type { Case } from '../run.ts'

const now = Math.floor(Date.now() / 1000)
const B = (t: string): Array<[string, string]> => [['Authorization', `Bearer ${t}`]]
const rs = (c: object, h: object = {}) => sign(c, { alg: 'RS256', kid: 'r1', ...h })
export const cases: Case[] = [
  { path: '/rs', headers: B(rs({ sub: 'x' })) },
  { path: '/rs', headers: B(sign({ sub: 'x' }, { alg: 'RS384', kid: 'r1' })) },
  { path: '/rs', headers: B(sign({ sub: 'x' }, { alg: 'PS256', kid: 'r1' })) },
  { path: '/rs', headers: B(sign({ sub: 'x' }, { alg: 'HS256', kid: 'h1' })) },
  { path: '/rs', headers: B(sign({ sub: 'x' }, { alg: 'ES256', kid: 'e1' })) },
  { path: '/rs', headers: B(rs({ sub: 'x' }, { kid: undefined })) },
  { path: '/rs', headers: B(rs({ sub: 'x' }, { kid: 'e1' })) },
  { path: '/rs', headers: B(rs({ sub: 'x' }, { crit: ['exp'] })) },
  { path: '/rs', headers: B(rs({ sub: 'x', exp: 'soon' })) },
  { path: '/rs', headers: B(rs({ sub: 'x', exp: now - 1 })) },
  { path: '/rs', headers: B(rs({ sub: 'x', nbf: now + 60 })) },
  { path: '/rs', headers: B(rs({ sub: 'x', iat: now + 3600 })) },
  { path: '/es', headers: B(sign({ sub: 'x' }, { alg: 'ES256', kid: 'e1' })) },
  { path: '/es', headers: B(rs({ sub: 'x' })) },
  { path: '/hs', headers: B(sign({ sub: 'x' }, { alg: 'HS256', kid: 'h1' })) },
  { path: '/hs', headers: B(sign({ sub: 'x' }, { alg: 'HS256', kid: 'r1' })) },
  { path: '/aud', headers: B(rs({ aud: 'a2', iss: 'i1' })) },
  { path: '/aud', headers: B(rs({ aud: ['a3', 'a1'], iss: 'i1' })) },
  { path: '/aud', headers: B(rs({ aud: 'a3', iss: 'i1' })) },
  { path: '/aud', headers: B(rs({ iss: 'i1' })) },
  { path: '/aud', headers: B(rs({ aud: 'a1', iss: 'i2' })) },
  { path: '/aud', headers: B(rs({ aud: 'a1', iss: 'i1', exp: now - 3 })) },
  { path: '/aud', headers: B(rs({ aud: 'a1', iss: 'i1', exp: now - 30 })) },
  {
    path: '/roles',
    headers: B(rs({ sub: 's', realm_access: { roles: ['r2', 'x'] }, num: 12.5, obj: { a: 1 } })),
  },
  { path: '/roles', headers: B(rs({ sub: 's', realm_access: { roles: ['x'] } })) },
  { path: '/roles', headers: B(rs({ sub: 's', realm_access: { roles: 'r1' } })) },
  { path: '/roles', headers: B(rs({ sub: 's', realm_access: 'r1' })) },
  { path: '/roles', headers: B(rs({ sub: 's', realm_access: { roles: ['r1'] }, num: 1e21 })) },
  { path: '/scopes', headers: B(rs({ scp: 'b c' })) },
  { path: '/scopes', headers: B(rs({ scp: ['c', 'a'] })) },
  { path: '/scopes', headers: B(rs({ scp: 'c d' })) },
  { path: '/scopes', headers: B(rs({})) },
  { path: '/cookie', headers: [['Cookie', `jwt=${rs({ sub: 'c' })}`]] },
  {
    path: '/cookie',
    headers: [
      ['Cookie', `jwt=${rs({ sub: 'c' })}`],
      ['Authorization', 'Bearer junk'],
    ],
  },
  {
    path: '/cookie',
    headers: [
      ['Cookie', 'jwt=junk'],
      ['Authorization', `Bearer ${rs({ sub: 'c' })}`],
    ],
  },
  { path: '/cookie', headers: B(rs({ sub: 'c' })) },
  { path: '/param/p1', headers: B(rs({ sub: 'u/../x' })) },
  { path: '/param/p1', headers: B(rs({ sub: 12 })) },
  { path: '/param/p1', headers: B(rs({ sub: 'a b?c' })) },
]
