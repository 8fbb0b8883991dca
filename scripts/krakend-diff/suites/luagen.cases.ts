// One GET per luagen.config.ts endpoint (same SEED= and N=): /p<i> (lua-proxy) and /r<i> (lua-endpoint).
import type { Case } from '../run.ts'
import { programs } from './luagen.config.ts'

export const cases: Case[] = programs.flatMap((_, i) => [{ path: `/p${i}` }, { path: `/r${i}` }])
