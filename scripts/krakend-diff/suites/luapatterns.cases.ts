// One GET per luapatterns.config.ts endpoint (same SEED=, N= and PER=).
import type { Case } from '../run.ts'
import { programs } from './luapatterns.config.ts'

export const cases: Case[] = programs.map((_, i) => ({ path: `/p${i}` }))
