// lura's sequential merger with its side effects: answers merged into the first one's map before
// later lookups read it, and a value once found kept for later backends.
import type { Case } from '../run.ts'

export const cases: Case[] = [
  { path: '/grouped-first' },
  { path: '/merged-fields' },
  { path: '/registry' },
  { path: '/propagated' },
]
