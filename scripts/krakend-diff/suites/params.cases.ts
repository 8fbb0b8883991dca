// Parameters holding what Go's url.Parse refuses (control characters) or writes raw (a space in the
// query), in a path, a query and a no-op query.
import type { Case } from '../run.ts'
export const cases: Case[] = ['a%0Ab', 'a%7Fb', 'a%00b', 'a%20b', 'a%09b', 'a%20b%20c'].flatMap((v) => [
  { path: `/q/${v}` },
  { path: `/p/${v}` },
  { path: `/n/${v}` },
])
