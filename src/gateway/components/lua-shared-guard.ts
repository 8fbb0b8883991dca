/**
 * KrakenD runs every Lua call in a new gopher-lua state, so nothing a script changes reaches the next
 * request. Our runs share one fengari state (a new one costs ~0.8 ms) and get their own globals; what
 * they still share (the library tables, `package.loaded`, the metatables of strings and of the API
 * objects, the type metatables) is watched here. After each run, the tables it wrote are put back as
 * sealed and what the run left in them is kept for its call, put back before that call's next run
 * (pre, then post after the backend answered): a call sees its own writes, no other call does, even
 * one under way meanwhile. Only a change that cannot be undone (spoil) replaces the engine.
 *
 * The watch costs nothing per write: fengari clears a table's `flags` (its cache of absent
 * metamethods) on every write that can change a field (`settable`, `lua_rawset`), and a lookup only
 * ever sets bits 0-5 again. Each shared table's flags are set to HIGH_BITS at sealing (bits 0-5 clear:
 * "not known yet", which stays correct); flags still negative after a run mean no write happened.
 */
import type { LuaState } from 'fengari'

/** The fengari internals read here (ltable.js's Table, lobject.js's TValue, lstate.js's global_State). */
export interface TValue {
  type: number
  value: unknown
}
export interface Entry {
  key: TValue
  value: TValue
  p: Entry | undefined
  n: Entry | undefined
}
export interface FengariTable {
  flags: number
  metatable: FengariTable | null
  strong: Map<unknown, Entry>
  dead_strong: Map<unknown, Entry>
  dead_weak: unknown
  f: Entry | undefined
  l: Entry | undefined
}
/** A table's entries in order ([hash, key type, key, value type, value]) and its metatable. */
interface Contents {
  entries: Array<[unknown, number, unknown, number, unknown]>
  metatable: FengariTable | null
}
/** What one call changed in the shared tables: their contents as that call left them. */
interface Overlay {
  tables: Map<FengariTable, Contents>
  typeMetatables: Array<FengariTable | null>
}
interface FengariState {
  l_G: { mt: Array<FengariTable | null>; l_registry: { value: FengariTable } }
}

/** Bits 6-31: never set by a metamethod lookup, cleared by any write. */
const HIGH_BITS = ~63
const LUA_TTABLE = 5

export interface SharedGuard {
  /** False once a change that cannot be undone was made (spoil). */
  intact(): boolean
  /** Runs `write`, the engine's own write into the shared `table`, which a run's writes before it still spoil. */
  engineWrite(table: object, write: () => void): void
  /** Gives up on the engine: the next request gets a new one (a change that cannot be watched). */
  spoil(): void
  /** Before a run of the call `owner` (its globals): puts back what its earlier runs changed. */
  enter(owner: object): void
  /** After a run of `owner`: keeps what it changed for its later runs and seals the tables as they were. */
  leave(owner: object): void
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
  const sealed = tables.map(contentsOf)
  const TValueOf = (registry.strong.values().next().value as Entry).value.constructor as new (
    type: number,
    value: unknown,
  ) => TValue
  const fill = (table: FengariTable, contents: Contents) => {
    table.strong = new Map()
    table.dead_strong = new Map()
    table.dead_weak = undefined
    let last: Entry | undefined
    for (const [hash, keyType, key, valueType, value] of contents.entries) {
      const entry: Entry = {
        key: new TValueOf(keyType, key),
        value: new TValueOf(valueType, value),
        p: last,
        n: undefined,
      }
      if (last) last.n = entry
      else table.f = entry
      table.strong.set(hash, entry)
      last = entry
    }
    if (!last) table.f = undefined
    table.l = last
    table.metatable = contents.metatable
    table.flags = HIGH_BITS
  }
  const overlays = new WeakMap<object, Overlay>()
  let overlaid = 0
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
      // A run's writes are undone by leave(): what is left is a change that cannot be undone.
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
    enter(owner) {
      if (overlaid === 0) return
      const overlay = overlays.get(owner)
      if (!overlay) return
      for (const [table, contents] of overlay.tables) fill(table, contents)
      state.l_G.mt.splice(0, overlay.typeMetatables.length, ...overlay.typeMetatables)
    },
    leave(owner) {
      const overlay = overlaid === 0 ? undefined : overlays.get(owner)
      if (!overlay && !changed()) return
      const kept: Overlay = { tables: new Map(), typeMetatables: state.l_G.mt.slice() }
      for (let i = 0; i < tables.length; i++) {
        const table = tables[i] as FengariTable
        if (table.flags < 0 && table.metatable === metatables[i] && !overlay?.tables.has(table)) continue
        kept.tables.set(table, contentsOf(table))
        fill(table, sealed[i] as Contents)
      }
      state.l_G.mt.splice(0, typeMetatables.length, ...typeMetatables)
      if (!overlay) overlaid++
      overlays.set(owner, kept)
    },
  }
}

function contentsOf(table: FengariTable): Contents {
  const entries: Contents['entries'] = []
  for (const [hash, entry] of table.strong)
    entries.push([hash, entry.key.type, entry.key.value, entry.value.type, entry.value.value])
  return { entries, metatable: table.metatable }
}
