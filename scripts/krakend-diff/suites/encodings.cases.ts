// Each of encodings.config.ts's endpoints once.
import type { Case } from '../run.ts'
import { config } from './encodings.config.ts'

export const cases: Case[] = config.endpoints.map((ep) => ({ path: ep.endpoint }))
