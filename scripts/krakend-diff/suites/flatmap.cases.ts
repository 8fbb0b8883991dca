import type { Case } from '../run.ts'

export const cases: Case[] = [
  { path: '/fm1' },
  { path: '/fm2' },
  { path: '/fm3' },
  { path: '/fm4' },
  { path: '/fm5' },
  { path: '/fm6' },
  { path: '/seq1/9' },
  { path: '/seq2/9' },
  { path: '/seq3/9' },
  { path: '/st1' },
  { path: '/st2' },
  { path: '/st3' },
  { path: '/st4' },
  { path: '/st5' },
]
