// The bodies schemagen.gen.ts makes for each served schema of schemagen.config.ts (same SEED=, N=),
// POSTed to its endpoint as JSON.
import type { Case } from '../run.ts'
import { served } from './schemagen.config.ts'
import { generate } from './schemagen.gen.ts'

const generated = generate(Number(process.env.SEED ?? 1), Number(process.env.N ?? 30))

export const cases: Case[] = served.flatMap((i) =>
  (generated[i]?.bodies ?? []).map((body) => ({
    method: 'POST',
    path: `/s${i}`,
    headers: [['Content-Type', 'application/json']] as Array<[string, string]>,
    body,
  })),
)
