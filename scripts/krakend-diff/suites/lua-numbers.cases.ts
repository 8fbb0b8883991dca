// Numbers in Lua: a backend's (json.Number texts in KrakenD) and those a script sets (Go float64s, as
// gopher-lua's LNumber), through a luaList written into a header (fmt's %s), the JSON, YAML and XML
// writers, validation/cel and the sequential proxy's resp0_ parameters; a script's ±Inf and XML's key order.
import type { Case } from '../run.ts'

export const cases: Case[] = [
  '/list',
  '/list-proxy',
  '/lua-made',
  '/json',
  '/yaml',
  '/xml',
  '/proxy-json',
  '/cel-eq',
  '/cel-add',
  '/cel-type',
  '/seq',
  '/xml-inf',
  '/seq-inf',
].map((path) => ({ path }))
