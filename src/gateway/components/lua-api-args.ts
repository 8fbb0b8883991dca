/** Argument and header helpers the methods of krakend-lua's script objects share. */
import type { LuaState } from 'fengari'
import type { LuaEngine } from './lua-engine.ts'
import { argString, goSprintS, LIST, type ListBox, pushUserData, raise, top } from './lua-values.ts'

/** A method of a script object: the Lua arguments on the stack, the count of results pushed. */
export type Method = (e: LuaEngine, L: LuaState) => number

/** An integer argument (Go's int conversion of the number). */
export const indexAt = (e: LuaEngine, n: number) => Math.trunc(e.f.lauxlib.luaL_checknumber(e.L, n))

export const needs = (e: LuaEngine, count: number) => {
  if (top(e) !== count) raise(e, 'need arguments')
}

export const stringTable = (map: Record<string, string>) => ({ data: { ...map } })
export const listTable = (map: Record<string, string[]>) => {
  const data: Record<string, unknown> = Object.create(null)
  for (const key in map) data[key] = [...(map[key] as string[])]
  return { data }
}

export function isNilArg(e: LuaEngine, n: number): boolean {
  e.f.lauxlib.luaL_checkany(e.L, n)
  return e.f.lua.lua_type(e.L, n) === e.f.lua.LUA_TNIL
}

export function readHeaderList(e: LuaEngine): string[] {
  const ud = e.f.lauxlib.luaL_testudata(e.L, 3, e.s(LIST))
  if (!ud) return raise(e, 'invalid header value, must be a luaList')
  return (ud.value as ListBox).data.map(goSprintS)
}

export function headerList(
  e: LuaEngine,
  headers: Record<string, string[]>,
  canonical: (k: string) => string,
): number {
  const n = top(e)
  if (n === 1) return raise(e, 'need arguments')
  const key = canonical(argString(e, 2))
  if (n === 2) {
    pushUserData(e, LIST, { data: [...(headers[key] ?? [])] } satisfies ListBox)
    return 1
  }
  headers[key] = readHeaderList(e)
  return 0
}
