import type { Case } from '../run.ts'
import { H } from './headers.ts'

const origins = [
  'https://app.example.com',
  'HTTPS://APP.EXAMPLE.COM',
  'https://app.example.com:443',
  'https://app.example.com/',
  'https://a.example.org',
  'https://a.b.example.org',
  'https://.example.org',
  'https://example.org',
  'http://a.example.org',
  'https://evil.com',
  'https://app.example.com.evil.com',
  'null',
  'http://localhost:3000',
  'http://localhost:3001',
  '',
]
const preflight = (origin: string, method: string, headers?: string, extra: string[] = []): Case => ({
  method: 'OPTIONS',
  path: '/r',
  headers: H(
    'Origin',
    origin,
    'Access-Control-Request-Method',
    method,
    ...(headers === undefined ? [] : ['Access-Control-Request-Headers', headers]),
    ...extra,
  ),
})

export const cases: Case[] = [
  ...origins.map((origin): Case => ({ path: '/r', headers: H('Origin', origin) })),
  { path: '/r' },
  ...origins.map((origin) => preflight(origin, 'GET')),
  preflight('https://app.example.com', 'post'),
  preflight('https://app.example.com', 'PUT'),
  preflight('https://app.example.com', 'DELETE'),
  preflight('https://app.example.com', 'GET', 'x-token'),
  preflight('https://app.example.com', 'GET', 'X-Token, content-type'),
  preflight('https://app.example.com', 'GET', 'x-token,content-type'),
  preflight('https://app.example.com', 'GET', 'X-Other'),
  preflight('https://app.example.com', 'GET', 'x-token, X-Other'),
  preflight('https://app.example.com', 'GET', ''),
  preflight('https://app.example.com', 'GET', ' , '),
  preflight('https://app.example.com', 'GET', undefined, ['Access-Control-Request-Private-Network', 'true']),
  preflight('https://a.example.org', 'POST', 'Content-Type'),
  { method: 'OPTIONS', path: '/r', headers: H('Origin', 'https://app.example.com') },
  {
    method: 'OPTIONS',
    path: '/nowhere',
    headers: H('Origin', 'https://app.example.com', 'Access-Control-Request-Method', 'GET'),
  },
  { method: 'POST', path: '/r', headers: H('Origin', 'https://app.example.com'), body: '{}' },
  { method: 'PUT', path: '/r', headers: H('Origin', 'https://app.example.com'), body: '{}' },
  { method: 'DELETE', path: '/r', headers: H('Origin', 'https://a.example.org') },
  { path: '/noop', headers: H('Origin', 'https://app.example.com') },
  { path: '/r', headers: H('Origin', 'https://app.example.com', 'Origin', 'https://evil.com') },
  { path: '/r', headers: H('Origin', 'https://evil.com', 'Origin', 'https://app.example.com') },
  { path: '/__health', headers: H('Origin', 'https://app.example.com') },
]
