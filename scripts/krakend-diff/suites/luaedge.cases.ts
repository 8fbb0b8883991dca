import type { Case } from '../run.ts'
import { PROBES } from './luaedge.probes.ts'

export const cases: Case[] = PROBES.flatMap((probe, i) =>
  (probe.requests ?? [{}]).map((r) => ({
    path: `/x${i}/${r.id ?? 'abc'}${r.query ?? ''}`,
    ...(r.headers ? { headers: r.headers } : {}),
  })),
)
