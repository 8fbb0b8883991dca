import type { Case } from '../run.ts'
import { config } from './lua-noop.config.ts'

export const cases: Case[] = config.endpoints.map((ep) => ({ path: ep.endpoint }))
