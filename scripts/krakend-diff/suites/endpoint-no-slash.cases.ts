// Endpoint paths written without their leading `/` (`users`, ``, `a/{x}`): lura's CleanPath serves them as `/users`, `/`, `/a/{x}`.
import type { Case } from '../run.ts'
export const cases: Case[] = [
  { path: '/users' },
  { path: '/' },
  { path: '/a/1' },
  { path: '/a/1/' },
  { path: '/users/' },
  { path: '/b/', method: 'POST' },
  { path: '/b', method: 'POST' },
  { path: '/b/' },
]
