import type { Case } from '../run.ts'

// Circuits that stay open for an hour: every answer and backend call below follows from the counts.
const times = (n: number, path: string): Case[] => Array.from({ length: n }, () => ({ path }))
export const cases: Case[] = [
  ...times(3, '/cb0'),
  ...times(4, '/cb1'),
  ...times(5, '/cb2'),
  ...times(4, '/cb-404'),
  ...times(3, '/cb-ok'),
  ...times(4, '/cb-code'),
  ...times(4, '/cb-name'),
  ...times(4, '/cb-merge'),
  ...times(4, '/cb-noop'),
  ...times(2, '/rl-msg'),
  { path: '/cel-msg' },
  { path: '/lua-msg' },
]
