/** luaTable and luaList (krakend-lua's decorator package): Go maps and slices a script reads and changes. */

import { isGoTypedNil } from '../go-print.ts'
import { setOwnKey } from '../own-keys.ts'
import { indexAt, type Method, needs } from './lua-api-args.ts'
import type { LuaEngine } from './lua-engine.ts'
import {
  argString,
  boxAt,
  isSkipped,
  LIST,
  type ListBox,
  pushData,
  pushUserData,
  raise,
  readData,
  TABLE,
  type TableBox,
} from './lua-values.ts'

const tableAt = (e: LuaEngine) => boxAt<TableBox>(e, 1, TABLE, 'response expected').data

export const TABLE_METHODS: Record<string, Method> = {
  get(e) {
    needs(e, 2)
    const data = tableAt(e)
    const key = argString(e, 2)
    if (!Object.hasOwn(data, key)) return 0
    // a typed nil of krakend-rss's (a nil []string, map or pointer) is not nil to krakend-lua's type
    // switch: an unknown type, as its typed values are
    const typedNil = data[key] === null && isGoTypedNil(data, key)
    const pushed = typedNil ? 0 : pushData(e, data[key])
    return pushed === 0 ? raise(e, `unknown type (${typeof data[key]}) ${String(data[key])}`) : pushed
  },
  set(e) {
    needs(e, 3)
    const data = tableAt(e)
    const key = argString(e, 2)
    const value = readData(e, 3)
    if (!isSkipped(value)) setOwnKey(data, key, value)
    return 0
  },
  len(e) {
    e.f.lua.lua_pushnumber(e.L, Object.keys(tableAt(e)).length)
    return 1
  },
  del(e) {
    needs(e, 2)
    delete tableAt(e)[argString(e, 2)]
    return 0
  },
  keys(e) {
    const keys = Object.keys(tableAt(e)).sort(byteOrder)
    pushUserData(e, LIST, { data: keys } satisfies ListBox)
    return 1
  },
  keyExists(e) {
    needs(e, 2)
    e.f.lua.lua_pushboolean(e.L, Object.hasOwn(tableAt(e), argString(e, 2)))
    return 1
  },
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

const listAt = (e: LuaEngine) => boxAt<ListBox>(e, 1, LIST, 'response expected')

export const LIST_METHODS: Record<string, Method> = {
  get(e) {
    needs(e, 2)
    const list = listAt(e).data
    const index = indexAt(e, 2)
    if (index < 0 || index >= list.length) return 0
    return pushData(e, list[index])
  },
  set(e) {
    needs(e, 3)
    const box = listAt(e)
    const index = indexAt(e, 2)
    if (index < 0) return 0
    const value = readData(e, 3)
    // Go grows the slice into a new array: the list it was read from does not see the new length.
    if (index >= box.data.length) {
      const grown: unknown[] = [...box.data]
      while (grown.length <= index) grown.push(null)
      box.data = grown
    }
    if (!isSkipped(value)) box.data[index] = value
    return 0
  },
  len(e) {
    e.f.lua.lua_pushnumber(e.L, listAt(e).data.length)
    return 1
  },
  del(e) {
    needs(e, 2)
    const box = listAt(e)
    const index = indexAt(e, 2)
    if (index >= 0 && index < box.data.length) box.data.splice(index, 1)
    return 0
  },
}
