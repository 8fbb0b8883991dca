import type { Case } from '../run.ts'

export const cases: Case[] = [
  { path: '/ys' },
  { path: '/neg', headers: [['Accept', 'application/x-yaml']] },
  { path: '/neg', headers: [['Accept', 'text/plain']] },
]
