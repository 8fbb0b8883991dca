/**
 * KrakenD runs every Lua call in a new gopher-lua state, so nothing a script changes reaches the next
 * request. Our runs share one fengari state (a new one costs ~0.8 ms) and get their own globals; what
 * they still share (the library tables, `package.loaded`, the metatables of strings and of the API
 * objects, the type metatables) is watched here, so that an engine a run changed is replaced before
 * the next request instead of carrying the change over.
 *
 * The watch costs nothing per write: fengari clears a table's `flags` (its cache of absent
 * metamethods) on every write that can change a field (`settable`, `lua_rawset`), and a lookup only
 * ever sets bits 0-5 again. Each shared table's flags are set to HIGH_BITS at sealing (bits 0-5 clear:
 * "not known yet", which stays correct); flags still negative after a run mean no write happened.
 */
import type { LuaState } from 'fengari'

/** The fengari internals read here (ltable.js's Table, lobject.js's TValue, lstate.js's global_State). */
interface FengariTable {
  flags: number
  metatable: FengariTable | null
  strong: Map<unknown, { value: { type: number; value: unknown } }>
}
interface FengariState {
  l_G: { mt: Array<FengariTable | null>; l_registry: { value: FengariTable } }
}

/** Bits 6-31: never set by a metamethod lookup, cleared by any write. */
const HIGH_BITS = ~63
const LUA_TTABLE = 5

export interface SharedGuard {
  /** Whether the shared tables and type metatables are as sealed. */
  intact(): boolean
  /** Runs `write`, the engine's own write into the shared `table`, which a run's writes before it still spoil. */
  engineWrite(table: object, write: () => void): void
  /** Gives up on the engine: the next request gets a new one (a change that cannot be watched). */
  spoil(): void
}

/**
 * Seals every table reachable from the registry (the globals, `package.loaded`, named metatables),
 * their metatables and the type metatables, leaving out the registry itself.
 */
export function sealShared(L: LuaState): SharedGuard {
  const state = L as unknown as FengariState
  const registry = state.l_G.l_registry.value
  const tables: FengariTable[] = []
  const metatables: Array<FengariTable | null> = []
  const seen = new Set<FengariTable>([registry])
  const visit = (table: FengariTable | null) => {
    if (!table || seen.has(table)) return
    seen.add(table)
    tables.push(table)
    metatables.push(table.metatable)
    visit(table.metatable)
    for (const entry of table.strong.values())
      if (entry.value.type === LUA_TTABLE) visit(entry.value.value as FengariTable)
  }
  for (const entry of registry.strong.values())
    if (entry.value.type === LUA_TTABLE) visit(entry.value.value as FengariTable)
  const typeMetatables = state.l_G.mt.slice()
  for (const table of typeMetatables) visit(table)
  for (const table of tables) table.flags = HIGH_BITS
  const changed = () => {
    for (let i = 0; i < tables.length; i++) {
      const table = tables[i] as FengariTable
      if (table.flags >= 0 || table.metatable !== metatables[i]) return true
    }
    const mt = state.l_G.mt
    for (let i = 0; i < typeMetatables.length; i++) if (mt[i] !== typeMetatables[i]) return true
    return false
  }
  let spoiled = false
  return {
    intact() {
      if (!spoiled) spoiled = changed()
      return !spoiled
    },
    engineWrite(table, write) {
      const shared = table as FengariTable
      if (shared.flags >= 0) spoiled = true
      write()
      shared.flags = HIGH_BITS
    },
    spoil() {
      spoiled = true
    },
  }
}
