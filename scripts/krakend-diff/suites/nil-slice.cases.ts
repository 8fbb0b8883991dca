// A collection backend answering `null`: Go's nil []interface{} (JSON `null`, YAML `[]`, an empty list to
// Lua, CEL, flatmap and the sequential proxy), through every output encoding and manipulation.
import type { Case } from '../run.ts'

export const cases: Case[] = [
  { path: '/json' },
  { path: '/yaml' },
  { path: '/xml' },
  { path: '/string' },
  { path: '/negotiate' },
  { path: '/mapped' },
  { path: '/group' },
  { path: '/merged' },
  { path: '/merged-xml' },
  { path: '/seq' },
  { path: '/lua' },
  { path: '/cel-size' },
  { path: '/cel-null' },
  { path: '/flat' },
  { path: '/flat-json' },
  { path: '/lua-copy' },
  { path: '/lua-copy-yaml' },
  { path: '/cel-empty' },
  { path: '/flat-append' },
  { path: '/flat-append-json' },
  { path: '/flat-del' },
  { path: '/target' },
  { path: '/seq2' },
  { path: '/deny' },
  { path: '/allow' },
  { path: '/negotiate-yaml', headers: [['Accept', 'application/x-yaml']] },
]
