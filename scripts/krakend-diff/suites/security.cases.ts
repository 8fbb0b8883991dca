import { sign } from '../backend.ts'
import type { Case } from '../run.ts'
import { H } from './headers.ts'

const token = (
  claims: object,
  header: Record<string, unknown> = { alg: 'HS256', kid: 'h1', typ: 'JWT' },
  wrongKey = false,
) => (wrongKey ? `${sign(claims, header).slice(0, -4)}AAAA` : sign(claims, header))
const t = Math.floor(Date.now() / 1000)
const good = token({ sub: 'u1', aud: 'aud1', iss: 'iss1', roles: ['admin'], exp: t + 600 })
export const cases: Case[] = [
  { path: '/jwt' },
  { path: '/jwt', headers: H('Authorization', `Bearer ${good}`) },
  { path: '/jwt', headers: H('Authorization', `bearer ${good}`) },
  { path: '/jwt', headers: H('Authorization', good) },
  { path: '/jwt', headers: H('Authorization', `Bearer ${good}`, 'X-User', 'spoof') },
  {
    path: '/jwt',
    headers: H(
      'Authorization',
      `Bearer ${token({ sub: 'u1', aud: 'aud1', iss: 'iss1', roles: ['user'], exp: t + 600 })}`,
    ),
  },
  {
    path: '/jwt',
    headers: H(
      'Authorization',
      `Bearer ${token({ sub: 'u1', aud: 'aud2', iss: 'iss1', roles: ['admin'], exp: t + 600 })}`,
    ),
  },
  {
    path: '/jwt',
    headers: H(
      'Authorization',
      `Bearer ${token({ sub: 'u1', aud: ['x', 'aud1'], iss: 'iss1', roles: ['admin'], exp: t + 600 })}`,
    ),
  },
  {
    path: '/jwt',
    headers: H(
      'Authorization',
      `Bearer ${token({ sub: 'u1', aud: 'aud1', iss: 'iss2', roles: ['admin'], exp: t + 600 })}`,
    ),
  },
  {
    path: '/jwt',
    headers: H(
      'Authorization',
      `Bearer ${token({ sub: 'u1', aud: 'aud1', iss: 'iss1', roles: ['admin'], exp: t - 10 })}`,
    ),
  },
  {
    path: '/jwt',
    headers: H(
      'Authorization',
      `Bearer ${token({ sub: 'u1', aud: 'aud1', iss: 'iss1', roles: ['admin'], nbf: t + 100 })}`,
    ),
  },
  {
    path: '/jwt',
    headers: H('Authorization', `Bearer ${token({ sub: 'u1', aud: 'aud1', iss: 'iss1', roles: 'admin' })}`),
  },
  {
    path: '/jwt',
    headers: H(
      'Authorization',
      `Bearer ${token({ sub: 12, aud: 'aud1', iss: 'iss1', roles: ['admin', 'x'] })}`,
    ),
  },
  {
    path: '/jwt',
    headers: H(
      'Authorization',
      `Bearer ${token({ sub: 'u1', aud: 'aud1', iss: 'iss1', roles: ['admin'] }, { alg: 'HS256', kid: 'h2' })}`,
    ),
  },
  {
    path: '/jwt',
    headers: H(
      'Authorization',
      `Bearer ${token({ sub: 'u1', aud: 'aud1', iss: 'iss1', roles: ['admin'] }, { alg: 'HS256' })}`,
    ),
  },
  {
    path: '/jwt',
    headers: H(
      'Authorization',
      `Bearer ${token({ sub: 'u1', aud: 'aud1', iss: 'iss1', roles: ['admin'] }, { alg: 'none', kid: 'h1' })}`,
    ),
  },
  {
    path: '/jwt',
    headers: H(
      'Authorization',
      `Bearer ${token({ sub: 'u1', aud: 'aud1', iss: 'iss1', roles: ['admin'] }, { alg: 'HS256', kid: 'h1' }, true)}`,
    ),
  },
  { path: '/jwt', headers: H('Authorization', 'Bearer garbage') },
  { path: '/jwt', headers: H('Authorization', 'Bearer a.b.c') },
  { path: '/jwt', headers: H('Authorization', `Bearer ${good}`, 'Authorization', 'Bearer x') },
  { path: '/jwt-scopes', headers: H('Authorization', `Bearer ${token({ scope: 'read write' })}`) },
  { path: '/jwt-scopes', headers: H('Cookie', `tok=${token({ scope: 'read write' })}`) },
  { path: '/jwt-scopes', headers: H('Cookie', `tok=${token({ scope: 'read' })}`) },
  { path: '/jwt-scopes', headers: H('Authorization', `Bearer ${token({ scope: ['read', 'write'] })}`) },
  { path: '/jwt-nested', headers: H('Authorization', `Bearer ${token({ realm: { roles: ['r1'] } })}`) },
  { path: '/jwt-nested', headers: H('Authorization', `Bearer ${token({ realm: { roles: ['r2'] } })}`) },
  {
    path: '/jwt-nested',
    headers: H('Authorization', `Bearer ${token({ realm: { roles: ['r1'] }, exp: t - 5 })}`),
  },
  {
    path: '/jwt-nested',
    headers: H('Authorization', `Bearer ${token({ realm: { roles: ['r1'] }, exp: t - 30 })}`),
  },
  { path: '/open', headers: H('Origin', 'https://a.example') },
  { path: '/open', headers: H('Origin', 'https://evil.example') },
  { path: '/open', headers: H('Origin', 'http://x.b.example') },
  {
    method: 'OPTIONS',
    path: '/open',
    headers: H(
      'Origin',
      'https://a.example',
      'Access-Control-Request-Method',
      'POST',
      'Access-Control-Request-Headers',
      'x-custom',
    ),
  },
  {
    method: 'OPTIONS',
    path: '/open',
    headers: H('Origin', 'https://a.example', 'Access-Control-Request-Method', 'DELETE'),
  },
  {
    method: 'OPTIONS',
    path: '/open',
    headers: H(
      'Origin',
      'https://a.example',
      'Access-Control-Request-Method',
      'GET',
      'Access-Control-Request-Headers',
      'x-other',
    ),
  },
  {
    method: 'OPTIONS',
    path: '/open',
    headers: H('Origin', 'https://evil.example', 'Access-Control-Request-Method', 'GET'),
  },
  {
    method: 'OPTIONS',
    path: '/nowhere',
    headers: H('Origin', 'https://a.example', 'Access-Control-Request-Method', 'GET'),
  },
  { path: '/open', headers: H('Host', 'evil.example') },
  { path: '/open', headers: H('Host', 'good.example') },
  { path: '/open', headers: H('Host', 'localhost:18080') },
  { path: '/open', headers: H('X-Forwarded-Proto', 'https') },
  {
    method: 'POST',
    path: '/open-post',
    headers: H('Origin', 'https://a.example', 'Content-Type', 'application/json'),
    body: '{}',
  },
  { path: '/rl', headers: H('X-Client', 'a') },
  { path: '/rl', headers: H('X-Client', 'a') },
  { path: '/rl', headers: H('X-Client', 'b') },
  { path: '/rl' },
  { path: '/bot', headers: H('User-Agent', 'evil') },
  { path: '/bot', headers: H('User-Agent', 'botgood') },
  { path: '/bot', headers: H('User-Agent', 'bot123') },
  { path: '/bot', headers: H('User-Agent', 'mozilla') },
  { path: '/bot' },
  { path: '/cel', headers: H('X-Pass', 'yes') },
  { path: '/cel', headers: H('X-Pass', 'no') },
  { path: '/cel' },
  { method: 'POST', path: '/schema', body: '{"n":2}' },
  { method: 'POST', path: '/schema', body: '{"n":0}' },
  { method: 'POST', path: '/schema', body: '{"n":"x"}' },
  { method: 'POST', path: '/schema', body: 'not json' },
  { method: 'POST', path: '/schema' },
  { path: '/martian?x=1' },
  { path: '/lua', headers: H('X-In', 'abc') },
  { path: '/lua' },
  { path: '/lua-err' },
  { path: '/cache' },
  { path: '/cache' },
  { path: '/cb' },
  { path: '/cb' },
  { path: '/cb' },
]
