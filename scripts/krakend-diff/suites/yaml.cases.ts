import type { Case } from '../run.ts'

export const cases: Case[] = [
  { path: '/ys' },
  { path: '/neg', headers: [['Accept', 'application/x-yaml']] },
  { path: '/neg', headers: [['Accept', 'text/plain']] },
  // static data (the config's numbers are Go float64s) against a backend's numbers
  { path: '/xs' },
  { path: '/ns', headers: [['Accept', 'application/x-yaml']] },
  { path: '/ns', headers: [['Accept', 'application/xml']] },
  { path: '/ys-deep' },
]
