/**
 * Base and library functions whose Lua 5.3 behaviour (fengari) differs from gopher-lua's in what a
 * script gets back, checked on KrakenD CE:
 * - `pairs` ignores `__pairs` and hands back its own `next` (not the global one); `ipairs` reads the
 *   table raw (5.3 walked `__index`) with one iterator for every call, which takes a table only;
 * - `xpcall(f, handler, ...)` calls f without arguments (gopher-lua passes none);
 * - `collectgarbage(...)` returns nothing, whatever the option (fengari: 'lua_gc not implemented');
 * - `coroutine.running()` is nil outside a coroutine;
 * - `math.log(x, base)` is the natural log of x (the base is not read) and `math.log10(x)` that times
 *   log10(e), both with Go's amd64 Log (lua-go-math.ts: its last digit, and subnormals);
 * - `os.date` and `os.time` are gopher-lua's (lua-gopher-date.ts): '!' drops every leading '!' and
 *   reads UTC, its own short strftime table; a date table's missing fields are no error; `os.difftime`
 *   subtracts two numbers' int64s, `os.getenv` of a variable set empty is nil;
 * - `_GOPHER_LUA_VERSION` and `_printregs` exist (the latter prints nothing here);
 * - an error of a library function `pcall` calls directly has the Lua caller's place and no function
 *   name: `pcall(string.rep)` gives '<string>:1: bad argument #1 to (anonymous) (...)'.
 */
import type { LuaFunction, LuaState } from 'fengari'
import type { LuaEngine } from './lua-engine.ts'
import { goLog } from './lua-go-math.ts'
import { GO_RUNTIME_PANIC, gopherArgs, gopherArgumentWording } from './lua-gopher-args.ts'
import { gopherDate, gopherDifftime, gopherTime } from './lua-gopher-date.ts'

const BAD_ARGUMENT = 'bad argument #'
/** What pcall's continuation knows of the function it called (flags). */
const GO_FUNCTION = 1
const UNPLACED = 2

export function installGopherCalls(e: Pick<LuaEngine, 'f' | 'L' | 's'>): void {
  const { lua, lauxlib } = e.f
  const L = e.L
  const { typeName, fail, checkTable } = gopherArgs(e.f)
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
  const globals = lua.lua_gettop(L)
  const original = (table: number, name: string): LuaFunction | null => {
    lua.lua_getfield(L, table, e.s(name))
    const fn = lua.lua_tocfunction(L, -1)
    lua.lua_pop(L, 1)
    return fn
  }
  const set = (table: number, name: string, fn: LuaFunction) => {
    lua.lua_pushjsfunction(L, fn)
    lua.lua_setfield(L, table, e.s(name))
  }

  const next = original(globals, 'next')
  if (next) {
    lua.lua_pushjsfunction(L, (state: LuaState) => next(state))
    lua.lua_pushcclosure(
      L,
      (state: LuaState) => {
        checkTable(state, 'pairs')
        lua.lua_pushvalue(state, lua.lua_upvalueindex(1))
        lua.lua_pushvalue(state, 1)
        lua.lua_pushnil(state)
        return 3
      },
      1,
    )
    lua.lua_setfield(L, globals, e.s('pairs'))
  }
  lua.lua_pushjsfunction(L, (state: LuaState) => {
    checkTable(state, '(anonymous)')
    if (lua.lua_type(state, 2) !== lua.LUA_TNUMBER)
      fail(state, `bad argument #2 to (anonymous) (number expected, got ${typeName(state, 2)})`)
    const i = Math.trunc(lua.lua_tonumber(state, 2)) + 1
    if (lua.lua_rawgeti(state, 1, i) === lua.LUA_TNIL) return 0
    lua.lua_pushinteger(state, i)
    lua.lua_insert(state, -2)
    return 2
  })
  lua.lua_pushcclosure(
    L,
    (state: LuaState) => {
      checkTable(state, 'ipairs')
      lua.lua_pushvalue(state, lua.lua_upvalueindex(1))
      lua.lua_pushvalue(state, 1)
      lua.lua_pushinteger(state, 0)
      return 3
    },
    1,
  )
  lua.lua_setfield(L, globals, e.s('ipairs'))

  /** Whether the value at 1 has a __call metamethod that is a function. */
  const callable = (state: LuaState): boolean => {
    if (!lua.lua_getmetatable(state, 1)) return false
    const type = lua.lua_getfield(state, -1, e.s('__call'))
    lua.lua_pop(state, 2)
    return type === lua.LUA_TFUNCTION
  }
  lua.lua_getfield(L, globals, e.s('error'))
  const errorFunction = lua.lua_topointer(L, -1)
  lua.lua_pop(L, 1)
  /**
   * pcall's results worded as gopher-lua words them: an error of a Go function pcall called directly
   * gets the Lua caller's place and no function name, an argument error raised deeper gopher-lua's
   * wording. A continuation too, so a script suspended inside pcall (http_response) gets them.
   */
  const reworded = (state: LuaState, status: number, flags: number): number => {
    let results = lua.lua_gettop(state)
    if (status !== lua.LUA_OK && status !== lua.LUA_YIELD) {
      lua.lua_pushboolean(state, false)
      lua.lua_pushvalue(state, -2)
      results = 2
    }
    if (results !== 2 || lua.lua_toboolean(state, -2) || lua.lua_type(state, -1) !== lua.LUA_TSTRING)
      return results
    const bytes = lua.lua_tostring(state, -1)
    if ((flags & GO_FUNCTION) === 0 || (flags & UNPLACED) !== 0) {
      // An argument error raised deeper, worded as gopher-lua words it ('bad argument #1 to floor (...)').
      if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).includes(BAD_ARGUMENT)) {
        const message = e.f.to_jsstring(bytes)
        const worded = gopherArgumentWording(message)
        if (worded !== message) {
          lua.lua_pop(state, 1)
          lua.lua_pushstring(state, e.f.to_luastring(worded))
        }
      }
      return results
    }
    const message = e.f.to_jsstring(bytes)
    if (/^[^\n:]*:\d+: /.test(message) || message.startsWith(GO_RUNTIME_PANIC)) return results
    lua.lua_pop(state, 1)
    const where = luaCallerPlace(e, state)
    const named = message.replace(
      /^bad argument #(\d+) to (?:'[^']*'|\S+) \(/,
      'bad argument #$1 to (anonymous) (',
    )
    lua.lua_pushstring(state, e.f.to_luastring(`${where}${named}`))
    return 2
  }
  if (original(globals, 'pcall'))
    set(globals, 'pcall', (state) => {
      // gopher-lua raises a Go function's error at the nearest Lua caller's place, and cannot name a
      // function pcall calls: '<string>:1: bad argument #1 to (anonymous) (...)'.
      if (lua.lua_gettop(state) === 0) fail(state, 'bad argument #1 to pcall (value expected)')
      if (lua.lua_type(state, 1) !== lua.LUA_TFUNCTION && !callable(state)) {
        const text = `attempt to call a ${typeName(state, 1)} value`
        lua.lua_pushboolean(state, false)
        lua.lua_pushstring(state, e.f.to_luastring(text))
        return 2
      }
      const unplaced =
        lua.lua_topointer(state, 1) === errorFunction &&
        lua.lua_gettop(state) >= 3 &&
        lua.lua_type(state, 3) === lua.LUA_TNUMBER &&
        lua.lua_tonumber(state, 3) < 1
      const flags = (lua.lua_iscfunction(state, 1) ? GO_FUNCTION : 0) | (unplaced ? UNPLACED : 0)
      // Lua's own pcall: true below the function, its results or false and the error.
      lua.lua_pushboolean(state, true)
      lua.lua_insert(state, 1)
      const status = lua.lua_pcallk(state, lua.lua_gettop(state) - 2, lua.LUA_MULTRET, 0, flags, reworded)
      return reworded(state, status, flags)
    })
  const xpcall = original(globals, 'xpcall')
  if (xpcall)
    set(globals, 'xpcall', (state) => {
      lua.lua_settop(state, 2)
      return xpcall(state)
    })
  set(globals, 'collectgarbage', () => 0)
  set(globals, '_printregs', () => 0)
  lua.lua_pushstring(L, e.s('GopherLua 0.1'))
  lua.lua_setfield(L, globals, e.s('_GOPHER_LUA_VERSION'))

  if (lua.lua_getfield(L, globals, e.s('coroutine')) === lua.LUA_TTABLE) {
    const running = original(-1, 'running')
    if (running)
      set(lua.lua_gettop(L), 'running', (state) => {
        if (lua.lua_pushthread(state)) {
          lua.lua_pushnil(state)
          return 1
        }
        lua.lua_pop(state, 1)
        return running(state)
      })
  }
  lua.lua_pop(L, 1)
  if (lua.lua_getfield(L, globals, e.s('math')) === lua.LUA_TTABLE) {
    const logTimes = (factor: number) => (state: LuaState) => {
      lua.lua_pushnumber(state, goLog(lauxlib.luaL_checknumber(state, 1)) * factor)
      return 1
    }
    set(lua.lua_gettop(L), 'log', logTimes(1))
    set(lua.lua_gettop(L), 'log10', logTimes(Math.LOG10E))
  }
  lua.lua_pop(L, 1)
  if (lua.lua_getfield(L, globals, e.s('os')) === lua.LUA_TTABLE) {
    set(lua.lua_gettop(L), 'date', gopherDate(e))
    set(lua.lua_gettop(L), 'time', gopherTime(e))
    set(lua.lua_gettop(L), 'difftime', gopherDifftime(e))
    const getenv = original(-1, 'getenv')
    // gopher-lua's os.getenv answers nil for a variable set to the empty string.
    if (getenv)
      set(lua.lua_gettop(L), 'getenv', (state) => {
        const results = getenv(state)
        if (lua.lua_type(state, -1) === lua.LUA_TSTRING && lua.lua_rawlen(state, -1) === 0) {
          lua.lua_pop(state, 1)
          lua.lua_pushnil(state)
        }
        return results
      })
  }
  lua.lua_pop(L, 2)
}

/**
 * '<source>:<line>: ' of the nearest Lua function up the stack from stack level `from` (1: the
 * running JS function's caller; '' if none), as gopher-lua's where(level, true) skips Go functions.
 */
export function luaCallerPlace(e: Pick<LuaEngine, 'f' | 's'>, state: LuaState, from = 1): string {
  const { lua } = e.f
  const ar = new lua.lua_Debug() as { currentline: number; short_src: Uint8Array }
  for (let level = from; lua.lua_getstack(state, level, ar); level++) {
    lua.lua_getinfo(state, e.s('Sl'), ar)
    if (ar.currentline > 0) return `${e.f.to_jsstring(ar.short_src)}:${ar.currentline}: `
  }
  return ''
}
