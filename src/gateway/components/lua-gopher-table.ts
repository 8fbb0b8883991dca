/**
 * Tables as gopher-lua's LTable keeps them: every positive integer key below MaxArrayIndex (2^26)
 * is in its array part, padded with nils up to it (`t[10] = 1` on an empty table fills 1..9), and
 * the rest in a hash part kept in insertion order. So:
 * - `#t` (and everything measuring a table: table.getn, unpack, insert, concat) is the largest such
 *   key holding a value (`#{nil, nil, 3}` is 3, `t[1], t[2], t[4] = 1, 2, 4` gives 4), where Lua 5.3
 *   answers any border;
 * - `next` (so `pairs`) walks the array keys in ascending order first, then the others in the
 *   order they were first set (5.3's order: as fengari's Map, constructor items last to first);
 * - table.insert, remove and concat are gopher-lua's (no bounds errors: a position past the end sets
 *   that key, 0 or below removes the last item, a concat separator must be a string).
 * gopher-lua's array part keeps a trailing nil that a script wrote (`t[#t] = nil`) until a `remove`:
 * here the table ends at its last value then (see the README's Lua differences).
 */
import type { LuaState } from 'fengari'
import type { LuaEngine } from './lua-engine.ts'
import { goInt, gopherArgs } from './lua-gopher-args.ts'
import type { Entry, FengariTable, TValue } from './lua-shared-guard.ts'

const MAX_ARRAY_INDEX = 67108864

export interface FengariTables {
  luaH_new: (L: unknown) => FengariTable
  luaH_getn: (t: FengariTable) => number
  luaH_next: (L: { stack: TValue[] }, t: FengariTable, keyI: number) => boolean
}
export interface FengariObjects {
  setobj2s: (L: unknown, index: number, value: TValue) => void
}

/** A key of gopher-lua's array part: its hash in fengari's Map is the number itself. */
const isArrayKey = (hash: unknown): hash is number =>
  typeof hash === 'number' && hash > 0 && hash < MAX_ARRAY_INDEX && Number.isInteger(hash)

/** The largest array key among `keys` (0: none). */
function largestArrayKey(keys: Iterable<unknown>): number {
  let max = 0
  for (const key of keys) if (isArrayKey(key) && key > max) max = key
  return max
}

/**
 * A table's entries that keep their largest array key as they change, so `#t` costs O(1): a scan
 * of every key made `t[#t + 1] = v` loops quadratic (a request building 3,000 items took 24 ms,
 * 6 ms with this). fengari adds a key only through `set` and removes one only through `delete`.
 */
class ArrayKeyEntries<V> extends Map<unknown, V> {
  /** The largest array key present (0: none). */
  largest = 0

  override set(hash: unknown, entry: V): this {
    if (isArrayKey(hash) && hash > this.largest) this.largest = hash
    return super.set(hash, entry)
  }

  override delete(hash: unknown): boolean {
    if (!super.delete(hash)) return false
    if (this.largest > 0 && hash === this.largest) {
      // Down to the next key present: one step for a list's last item, a scan past `size` steps.
      let below = (hash as number) - 1
      for (let steps = 0; below > 0 && !this.has(below); below--)
        if (++steps > this.size) {
          this.largest = largestArrayKey(this.keys())
          return true
        }
      this.largest = below
    }
    return true
  }
}

/** gopher-lua's LTable.Len(): the largest array key holding a value. */
export function gopherLength(t: FengariTable): number {
  // A plain Map: a table whose entries lua-shared-guard.ts put back after a run.
  return t.strong instanceof ArrayKeyEntries ? t.strong.largest : largestArrayKey(t.strong.keys())
}

/** The smallest array key above `after` holding a value. */
function nextArrayKey(t: FengariTable, after: number): number | undefined {
  if (after + 1 < MAX_ARRAY_INDEX && t.strong.has(after + 1)) return after + 1
  let best: number | undefined
  for (const hash of t.strong.keys())
    if (isArrayKey(hash) && hash > after && (best === undefined || hash < best)) best = hash
  return best
}

/** Puts gopher-lua's length and traversal order in place of fengari's (ltable's exports, which lvm and lapi call). */
export function gopherTableOrder(ltable: FengariTables, lobject: FengariObjects, numberType: number): void {
  const next = ltable.luaH_next
  const keyIsArray = (key: TValue) => (key.type & 0x0f) === numberType && isArrayKey(key.value)
  // The hash part: fengari's order, array keys left out.
  const hashNext: FengariTables['luaH_next'] = (L, t, keyI) => {
    while (next(L, t, keyI)) if (!keyIsArray(L.stack[keyI] as TValue)) return true
    return false
  }
  ltable.luaH_getn = gopherLength
  const created = ltable.luaH_new
  ltable.luaH_new = (L) => {
    const t = created(L)
    t.strong = new ArrayKeyEntries()
    return t
  }
  ltable.luaH_next = (L, t, keyI) => {
    const key = L.stack[keyI] as TValue
    let after: number
    if ((key.type & 0x0f) === 0 /* nil */) after = 0
    else if (keyIsArray(key)) after = key.value as number
    else return hashNext(L, t, keyI)
    const found = nextArrayKey(t, after)
    if (found !== undefined) {
      const entry = t.strong.get(found) as Entry
      lobject.setobj2s(L, keyI, entry.key)
      lobject.setobj2s(L, keyI + 1, entry.value)
      return true
    }
    lobject.setobj2s(L, keyI, NIL)
    return hashNext(L, t, keyI)
  }
}
const NIL: TValue = { type: 0, value: undefined }

/** table.insert, remove and concat as gopher-lua's tablelib (on the length above). */
export function installGopherTable(e: Pick<LuaEngine, 'f' | 'L' | 's'>): void {
  const { lua } = e.f
  const L = e.L
  const { typeName, fail, checkTable } = gopherArgs(e.f)
  // CheckInt / OptInt: a number only, as Go's int(x).
  const checkInt = (state: LuaState, n: number, name: string, otherwise?: number): number => {
    const type = lua.lua_type(state, n)
    if (otherwise !== undefined && type <= lua.LUA_TNIL) return otherwise
    if (type !== lua.LUA_TNUMBER)
      fail(state, `bad argument #${n} to ${name} (number expected, got ${typeName(state, n)})`)
    return goInt(lua.lua_tonumber(state, n))
  }
  const move = (state: LuaState, from: number, to: number) => {
    lua.lua_rawgeti(state, 1, from)
    lua.lua_rawseti(state, 1, to)
  }
  const setAt = (state: LuaState, key: number, value: number) => {
    lua.lua_pushnumber(state, key)
    lua.lua_pushvalue(state, value)
    lua.lua_rawset(state, 1)
  }

  const insert = (state: LuaState) => {
    checkTable(state, 'insert')
    const top = lua.lua_gettop(state)
    if (top === 1) fail(state, 'wrong number of arguments')
    const length = lua.lua_rawlen(state, 1)
    if (top === 2) {
      if (lua.lua_type(state, 2) !== lua.LUA_TNIL) setAt(state, length + 1, 2)
      return 0
    }
    const position = checkInt(state, 2, 'insert')
    if (position > length || position <= 0) {
      setAt(state, position, 3)
      return 0
    }
    for (let i = length; i >= position; i--) move(state, i, i + 1)
    setAt(state, position, 3)
    return 0
  }

  const remove = (state: LuaState) => {
    checkTable(state, 'remove')
    const length = lua.lua_rawlen(state, 1)
    const position = lua.lua_gettop(state) === 1 ? -1 : checkInt(state, 2, 'remove')
    if (length === 0 || position > length) {
      lua.lua_pushnil(state)
      return 1
    }
    const index = position === length || position <= 0 ? length : position
    lua.lua_rawgeti(state, 1, index)
    for (let i = index; i < length; i++) move(state, i + 1, i)
    lua.lua_pushnil(state)
    lua.lua_rawseti(state, 1, length)
    return 1
  }

  const concat = (state: LuaState) => {
    checkTable(state, 'concat')
    const sepType = lua.lua_type(state, 2)
    if (sepType > lua.LUA_TNIL && sepType !== lua.LUA_TSTRING)
      fail(state, `bad argument #2 to concat (string expected, got ${typeName(state, 2)})`)
    const length = lua.lua_rawlen(state, 1)
    let i = checkInt(state, 3, 'concat', 1)
    let j = checkInt(state, 4, 'concat', length)
    if (lua.lua_gettop(state) === 3 && (i > length || i < 1)) {
      lua.lua_pushstring(state, e.s(''))
      return 1
    }
    i = Math.max(Math.min(i, length), 1)
    j = Math.min(j, length)
    // One item is handed back as it is (gopher-lua's stringConcat of one value): a number stays a number.
    if (i === j) {
      const type = lua.lua_rawgeti(state, 1, i)
      if (type === lua.LUA_TSTRING || type === lua.LUA_TNUMBER) return 1
      fail(state, `invalid value (${typeName(state, -1)}) at index ${i} in table for concat`)
    }
    const parts: Uint8Array[] = []
    const sep = sepType === lua.LUA_TSTRING ? lua.lua_tolstring(state, 2) : undefined
    for (let k = i; k <= j; k++) {
      const type = lua.lua_rawgeti(state, 1, k)
      if (type !== lua.LUA_TSTRING && type !== lua.LUA_TNUMBER)
        fail(state, `invalid value (${typeName(state, -1)}) at index ${k} in table for concat`)
      parts.push(lua.lua_tolstring(state, -1))
      lua.lua_pop(state, 1)
      if (sep && k !== j) parts.push(sep)
    }
    lua.lua_pushstring(state, Buffer.concat(parts))
    return 1
  }

  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
  if (lua.lua_getfield(L, -1, e.s('table')) === lua.LUA_TTABLE) {
    for (const [name, fn] of [
      ['insert', insert],
      ['remove', remove],
      ['concat', concat],
    ] as const) {
      lua.lua_pushjsfunction(L, fn)
      lua.lua_setfield(L, -2, e.s(name))
    }
  }
  lua.lua_pop(L, 2)
}
