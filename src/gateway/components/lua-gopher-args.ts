/**
 * What the gopher-* library installers share: gopher-lua's argument errors ("bad argument #n to
 * name (T expected, got U)", a missing argument being nil as gopher-lua's Get(n) reads it, raised at
 * the caller's place) and Go's conversions of Lua values.
 */
import type { LuaState } from 'fengari'
import type { Fengari } from './lua-engine.ts'

export const GO_INT_MIN = -(2 ** 63)
/** The text of a Go runtime panic a library function of gopher-lua runs into (lua-engine.ts answers it as KrakenD does). */
export const GO_RUNTIME_PANIC = 'runtime error: '
export const GO_INT_MAX = 2 ** 63

/** Go's int(x) for a float64 on amd64. */
export function goInt(x: number): number {
  if (Number.isNaN(x) || x >= GO_INT_MAX || x < GO_INT_MIN) return GO_INT_MIN
  return Math.trunc(x) + 0
}

/** A Lua string's bytes as a JavaScript string of one character per byte. */
export const latin1 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1')

export interface GopherArgs {
  /** The type name of argument `n` ('nil' when it is missing). */
  typeName(state: LuaState, n: number): string
  /** Raises `text` at the calling script's place, as gopher-lua's RaiseError. */
  fail(state: LuaState, text: string): never
  /** gopher-lua's CheckString: a string or a number, else its TypeError. */
  checkString(state: LuaState, n: number, name: string): Uint8Array
  /** gopher-lua's CheckTable of argument 1. */
  checkTable(state: LuaState, name: string): void
}

export function gopherArgs(f: Fengari): GopherArgs {
  const { lua, lauxlib } = f
  const typeName = (state: LuaState, n: number) => {
    const type = lua.lua_type(state, n)
    return type === lua.LUA_TNONE ? 'nil' : f.to_jsstring(lua.lua_typename(state, type))
  }
  const fail = (state: LuaState, text: string): never => {
    lauxlib.luaL_where(state, 1)
    lua.lua_pushstring(state, f.to_luastring(text))
    lua.lua_concat(state, 2)
    return lua.lua_error(state) as never
  }
  const checkString = (state: LuaState, n: number, name: string): Uint8Array => {
    const type = lua.lua_type(state, n)
    if (type !== lua.LUA_TSTRING && type !== lua.LUA_TNUMBER)
      fail(state, `bad argument #${n} to ${name} (string expected, got ${typeName(state, n)})`)
    return lua.lua_tolstring(state, n)
  }
  const checkTable = (state: LuaState, name: string) => {
    if (lua.lua_type(state, 1) !== lua.LUA_TTABLE)
      fail(state, `bad argument #1 to ${name} (table expected, got ${typeName(state, 1)})`)
  }
  return { typeName, fail, checkString, checkTable }
}

/**
 * gopher-lua's ArgError wording of fengari's (luaL_argerror): the function name unquoted ("bad
 * argument #1 to floor (...)") and a missing argument 'nil' ("string expected, got nil").
 */
export function gopherArgumentWording(message: string): string {
  if (!message.includes('bad argument #') || message.includes(' || ')) return message
  return message
    .replace(/bad argument #(\d+) to '([^']*)' \(/g, 'bad argument #$1 to $2 (')
    .replace(/ expected, got no value\)/g, ' expected, got nil)')
}
