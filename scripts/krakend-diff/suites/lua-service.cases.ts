// Service-level modifier/lua-endpoint reading and setting gin's params: the route's (lura's handler
// reads what the script leaves), none or those gin's lookup collected on a 404 and 405.
import type { Case } from '../run.ts'

export const cases: Case[] = [
  { path: '/s/7' },
  { path: '/s/swap' },
  { path: '/s/upper' },
  { path: '/s/deny' },
  { path: '/two/x/y' },
  { path: '/s' },
  { path: '/deep/7/y' },
  { path: '/s/7', method: 'POST' },
  { path: '/nothing' },
  { path: '/deep/seven/y' },
  { path: '/s/seven', method: 'POST' },
  { path: '/s/seven/more' },
]
