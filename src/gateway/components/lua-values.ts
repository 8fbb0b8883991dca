/**
 * Values between the gateway's data and Lua, as krakend-lua converts them: luaTable and luaList
 * wrap the gateway's own objects and arrays (writes through them change the response), Go's nil
 * is the luaNil userdata, and a Lua table set into data becomes a map whose nested tables with
 * integer keys only become lists (krakend-lua's ParseToTable).
 */

import type { LuaState } from 'fengari'
import { bytesOfText, hasEscapedByte, textOfBytes } from '../byte-text.ts'
import { isGoTypedValue } from '../flatmap.ts'
import { GoFloat64, goFormatFloat } from '../go-float.ts'
import { GoNumber } from '../go-json.ts'
import { compareGoKeys } from '../go-json-order.ts'
import { setOwnKey } from '../own-keys.ts'
import type { LuaEngine } from './lua-engine.ts'
import { goNumberString } from './lua-numbers.ts'

export const TABLE = 'luaTable'
export const LIST = 'luaList'
export const NIL = 'luaNil'

export interface TableBox {
  data: Record<string, unknown>
}
export interface ListBox {
  data: unknown[]
}

/** A userdata of metatable `type` holding `value`, pushed on the stack. */
export function pushUserData(e: LuaEngine, type: string, value: unknown): void {
  const { lua, lauxlib } = e.f
  const ud = e.f.lua.lua_newuserdata(e.L, 0)
  ud.value = value
  lauxlib.luaL_getmetatable(e.L, e.s(type))
  lua.lua_setmetatable(e.L, -2)
}

/** Text pushed as its UTF-8 bytes; bytes held escaped in it (byte-text.ts) pushed as they are. */
export function pushString(e: LuaEngine, text: string | Uint8Array): void {
  e.f.lua.lua_pushstring(
    e.L,
    typeof text !== 'string' ? text : hasEscapedByte(text) ? rawBytes(text) : e.f.to_luastring(text),
  )
}

const rawBytes = (text: string) => new Uint8Array(Buffer.from(bytesOfText(text), 'latin1'))

/** tableGet/listGet: one value pushed (1), or nothing for a type krakend-lua does not know (0). */
export function pushData(e: LuaEngine, value: unknown): number {
  const { lua } = e.f
  if (value === null || value === undefined) pushUserData(e, NIL, null)
  else if (typeof value === 'string') pushString(e, value)
  else if (typeof value === 'number') lua.lua_pushnumber(e.L, value)
  else if (value instanceof GoNumber) lua.lua_pushnumber(e.L, Number(value.literal))
  else if (typeof value === 'boolean') lua.lua_pushboolean(e.L, value)
  // a Go value of another type than krakend-lua's (an xml collection's mxj.Map, an rss answer's lists)
  else if (typeof value === 'object' && isGoTypedValue(value)) return 0
  else if (Array.isArray(value)) pushUserData(e, LIST, { data: value } satisfies ListBox)
  else if (typeof value === 'object') pushUserData(e, TABLE, { data: value as Record<string, unknown> })
  else return 0
  return 1
}

const SKIP = Symbol('not set')

/**
 * tableSet/listSet's reading of the value at `index`: SKIP where krakend-lua sets nothing (nil,
 * functions, userdata of other types).
 */
export function readData(e: LuaEngine, index: number): unknown {
  const { lua } = e.f
  const L = e.L
  switch (lua.lua_type(L, index)) {
    case lua.LUA_TSTRING:
      return utf8(lua.lua_tostring(L, index))
    case lua.LUA_TNUMBER: {
      // A Lua number is a Go float64 in KrakenD's data (YAML, CEL, fmt print it as one). NaN and the
      // infinities stay plain: no JSON writer takes them.
      const n = lua.lua_tonumber(L, index)
      return Number.isFinite(n) ? new GoFloat64(n) : n
    }
    case lua.LUA_TBOOLEAN:
      return lua.lua_toboolean(L, index)
    case lua.LUA_TTABLE:
      return readTable(e, index)
    case lua.LUA_TUSERDATA:
      return userData(e, index)
    default:
      return SKIP
  }
}

export const isSkipped = (value: unknown) => value === SKIP

function userData(e: LuaEngine, index: number): unknown {
  const { lauxlib } = e.f
  if (lauxlib.luaL_testudata(e.L, index, e.s(NIL))) return null
  const table = lauxlib.luaL_testudata(e.L, index, e.s(TABLE))
  if (table) return (table.value as TableBox).data
  const list = lauxlib.luaL_testudata(e.L, index, e.s(LIST))
  if (list) return (list.value as ListBox).data
  return SKIP
}

/** A Lua table as a map, keys as Lua prints them (ParseToTable on each pair). */
function readTable(e: LuaEngine, index: number): Record<string, unknown> {
  const { lua } = e.f
  const L = e.L
  const at = index < 0 ? lua.lua_gettop(L) + index + 1 : index
  const out: Record<string, unknown> = {}
  lua.lua_pushnil(L)
  while (lua.lua_next(L, at) !== 0) {
    const key = keyText(e, -2)
    const value = nestedValue(e, -1)
    if (key !== undefined && value !== SKIP) setOwnKey(out, key, value)
    lua.lua_pop(L, 1)
  }
  return out
}

function nestedValue(e: LuaEngine, index: number): unknown {
  if (e.f.lua.lua_type(e.L, index) !== e.f.lua.LUA_TTABLE) return readData(e, index)
  const map = readTable(e, index)
  const list = asList(map)
  return list === undefined ? map : list
}

function keyText(e: LuaEngine, index: number): string | undefined {
  const { lua } = e.f
  const type = lua.lua_type(e.L, index)
  if (type === lua.LUA_TSTRING) return utf8(lua.lua_tostring(e.L, index))
  if (type === lua.LUA_TNUMBER) return goNumberString(lua.lua_tonumber(e.L, index))
  if (type === lua.LUA_TBOOLEAN) return lua.lua_toboolean(e.L, index) ? 'true' : 'false'
  return undefined
}

/** tryConvertToSlice: every key an integer (strconv.Atoi) gives the values in key order; none gives nil. */
function asList(map: Record<string, unknown>): unknown[] | null | undefined {
  const keys: Array<[number, string]> = []
  for (const key in map) {
    if (!/^[+-]?\d+$/.test(key)) return undefined
    keys.push([Number(key), key])
  }
  if (keys.length === 0) return null
  keys.sort((a, b) => a[0] - b[0])
  return keys.map(([, key]) => map[key])
}

/**
 * fmt.Sprintf("%s", v) on a luaList value written into a header: a backend's json.Number prints its
 * text, a float64 (a number a script set, a Lambda's, the config's) `%!s(float64=1e+06)`, lists and
 * maps their items the same way (`[a b]`, `map[k:v]` by Go's key order).
 */
export function goSprintS(value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof GoFloat64) return `%!s(float64=${goFormatFloat(value.value)})`
  if (value instanceof GoNumber) return value.literal
  // A backend's number whose text JavaScript prints back (go-json-decoder.ts); a script's NaN or Inf
  if (typeof value === 'number')
    return Number.isFinite(value) ? String(value) : `%!s(float64=${goFormatFloat(value)})`
  if (typeof value === 'boolean') return `%!s(bool=${value})`
  if (value === null || value === undefined) return '%!s(<nil>)'
  if (Array.isArray(value)) return `[${value.map(goSprintS).join(' ')}]`
  if (typeof value === 'object') {
    const map = value as Record<string, unknown>
    const keys = Object.keys(map).sort(compareGoKeys)
    return `map[${keys.map((k) => `${k}:${goSprintS(map[k])}`).join(' ')}]`
  }
  return `%!s(${typeof value})`
}

/** Raises a Lua error with the caller's position, as binder does with a Go error. */
export function raise(e: LuaEngine, message: string): never {
  const { lua, lauxlib } = e.f
  lauxlib.luaL_where(e.L, 1)
  pushString(e, message)
  lua.lua_concat(e.L, 2)
  return lua.lua_error(e.L)
}

/** c.Arg(n).String(): a string, or a number as Lua prints it; anything else is an argument error. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** A string argument as text; bytes that are not UTF-8 held escaped (byte-text.ts), as Go keeps them. */
export function argString(e: LuaEngine, n: number): string {
  const bytes = e.f.lauxlib.luaL_checklstring(e.L, n)
  // fengari reads encoded surrogates (ED A0 80) as text; Go's UTF-8 does not.
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return textOfBytes(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1'))
  }
}

export function argBytes(e: LuaEngine, n: number): Uint8Array {
  return e.f.lauxlib.luaL_checklstring(e.L, n)
}

export const top = (e: LuaEngine) => e.f.lua.lua_gettop(e.L)

/** The payload of the userdata at `n` when it has metatable `type`. */
export function boxAt<T>(e: LuaEngine, n: number, type: string, expected: string): T {
  const ud = e.f.lauxlib.luaL_testudata(e.L, n, e.s(type))
  if (!ud) {
    // gopher-lua's CheckUserData: 'userdata expected, got nil' (the argument error names no type of binder's).
    if (e.f.lua.lua_type(e.L, n) !== e.f.lua.LUA_TUSERDATA)
      e.f.lauxlib.luaL_checkudata(e.L, n, e.s('userdata'))
    return raise(e, expected)
  }
  return ud.value as T
}

export type LuaMethod = (e: LuaEngine, L: LuaState) => number

/** Lua bytes as text, invalid UTF-8 as U+FFFD (fengari's to_jsstring throws on it). */
function utf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8')
}
