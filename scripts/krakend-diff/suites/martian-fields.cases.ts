// martian fields as Go's json reads them: modifiers without "scope" (left out or null) on every side
// they have, and field names in another case ("SCOPE", "NAME", "MODIFIER") read case-insensitively.
import type { Case } from '../run.ts'

export const cases: Case[] = [
  {
    path: '/noscope?q=1',
    headers: [
      ['X-A', 'go'],
      ['X-Ok', 'x'],
    ],
  },
  { path: '/noscope', headers: [['X-A', 'no']] },
  { path: '/noscope-noop' },
  { path: '/case?q=1', headers: [['X-Ok', 'x']] },
]
