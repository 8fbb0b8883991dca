// The probes of configgen.config.ts's units (same SEED= and N=): requests each unit's guard must
// stop, and one it lets through, on the unit's own path.
import type { Case } from '../run.ts'
import { served } from './configgen.config.ts'

export const cases: Case[] = served.flatMap((unit) => unit.probes)
