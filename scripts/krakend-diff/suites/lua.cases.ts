import type { Case } from '../run.ts'

export const cases: Case[] = [
  { path: '/lua/nums' },
  { path: '/lua/strs' },
  { path: '/lua/tables' },
  { path: '/lua/data' },
  { path: '/lua/errs' },
  { path: '/lua/errtable' },
  { path: '/lua/custom' },
  { path: '/lua/custom2' },
  { path: '/lua/hdrs' },
  { path: '/luapre/7?q=1&z=2', headers: [['X-A', 'a']] },
  { path: '/luaep/8?q=1', headers: [['X-A', 'a']] },
]
