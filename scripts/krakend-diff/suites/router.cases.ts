import type { Case } from '../run.ts'

export const cases: Case[] = [
  { path: '/a' },
  { method: 'OPTIONS', path: '/a' },
  { method: 'OPTIONS', path: '/b/1' },
  { method: 'DELETE', path: '/a' },
  { path: '/nowhere' },
  { path: '/a/' },
  { path: '/A' },
  { method: 'PUT', path: '/b/1', body: 'x' },
  { path: '/b/1' },
  { path: '/details' },
  { path: '/details-one' },
  { path: '/timeout' },
  { path: '/conc' },
  { path: '/cachettl' },
  { path: '/cachettl-inc' },
  { path: '/ip', headers: [['X-Forwarded-For', '1.1.1.1, 2.2.2.2']] },
  { path: '/ip', headers: [['X-Client-Ip', '3.3.3.3']] },
  { path: '/ip', headers: [['X-Real-Ip', '4.4.4.4']] },
  {
    path: '/ip',
    headers: [
      ['X-Client-Ip', 'garbage'],
      ['X-Forwarded-For', '5.5.5.5'],
    ],
  },
]
