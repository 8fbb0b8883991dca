// A url_pattern with a `#fragment` (never sent): the URL Go's errors name keeps it, escaped as
// URL.String writes it (a backend that cannot be reached: /fN; one that answers 404: /okN).
import type { Case } from '../run.ts'
export const cases: Case[] = [
  '/f0',
  '/ok0',
  '/f1',
  '/ok1',
  '/f2',
  '/ok2',
  '/f3',
  '/ok3',
  '/f4',
  '/ok4',
  '/f5',
  '/ok5',
  '/f6',
  '/ok6',
  '/f7',
  '/ok7',
].map((path) => ({ path }))
