import type { Case } from '../run.ts'
import { bodies } from './go-form-text.config.ts'
export const cases: Case[] = bodies.flatMap((_, i) => [
  { path: `/s${i}` },
  { path: `/m${i}` },
  { path: `/n${i}` },
])
