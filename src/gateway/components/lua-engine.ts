/**
 * The Lua interpreter as krakend-lua drives gopher-lua: a state per modifier, the libraries
 * binder opens (base, package and table; all of them with allow_open_libs), the script chunks
 * compiled once, and each run in a fresh global environment, as KrakenD's new state per request.
 */
import type { LuaState, LuaString } from 'fengari'
import { fengariLibrary } from '../libraries.ts'
import {
  binderMessage,
  errorText,
  gopherSyntaxMessage,
  krakendError,
  type LuaError,
  type SourceMap,
  utf8,
} from './lua-errors.ts'
import { installGoFormat } from './lua-format.ts'
import { goPow } from './lua-go-math.ts'
import { GO_RUNTIME_PANIC, gopherArgumentWording } from './lua-gopher-args.ts'
import { installGopherBase } from './lua-gopher-base.ts'
import { installGopherCalls } from './lua-gopher-calls.ts'
import { installGopherFenv } from './lua-gopher-fenv.ts'
import { gopherDebug, gopherOrder } from './lua-gopher-globals.ts'
import { installGopherLibrary } from './lua-gopher-lib.ts'
import { installGopherPackage } from './lua-gopher-package.ts'
import { installGopherSort } from './lua-gopher-sort.ts'
import { installGopherTable } from './lua-gopher-table.ts'
import { gopherTraceback } from './lua-gopher-traceback.ts'
import { libraryStandIns, type OwnStrings } from './lua-library-stand-ins.ts'
import { type SharedGuard, sealShared } from './lua-shared-guard.ts'
import { gopherize } from './lua-syntax.ts'

export type Fengari = ReturnType<typeof fengariLibrary>

/** A compiled chunk: its bytecode (loaded anew per run, so each run gets its own globals). */
export interface Chunk {
  bytecode: Uint8Array
  /** The file names and line counts error lines are mapped to (krakend-lua's SourceMap). */
  map: SourceMap
}

export interface LuaEngine {
  readonly f: Fengari
  readonly L: LuaState
  s(text: string): LuaString
  /** Compiles `source`; a syntax error comes back as KrakenD's error message. */
  compile(source: string, map: SourceMap): Chunk | { error: LuaError }
  /** A new global environment (a copy of the opened libraries) at the top of the stack. */
  pushEnvironment(): void
  /** Runs `chunk` in the environment at `env` (a stack index); undefined or KrakenD's error message. */
  run(chunk: Chunk, env: number): LuaError | undefined
  /**
   * As run, with the environment given by its registry reference, as a coroutine of the main thread:
   * a JS function may suspend it (suspend) while the gateway waits for something (a script's HTTP
   * call). The engine must not run anything else meanwhile.
   */
  runSuspending(chunk: Chunk, env: number): Promise<LuaError | undefined>
  /**
   * From a JS function the script called: suspends the script until what `start` starts settles,
   * then returns what `resumed` pushes (or raises). Where the script cannot be suspended (no
   * `start`, a synchronous run, a coroutine of its own, a library function calling back into Lua),
   * raises `refused` instead.
   */
  suspend(
    state: LuaState,
    start: (() => Promise<unknown>) | undefined,
    resumed: (state: LuaState) => number,
    refused: string,
  ): never
  /** Starts watching what runs share; call once everything is installed (lua-shared-guard.ts). */
  seal(): void
  /** False once a run made a change to what runs share that cannot be undone: the next request needs a new engine. */
  intact(): boolean
}

const GOPHER_LIBS = ['package', 'table', 'io', 'os', 'string', 'math', 'debug', 'coroutine']

export function createLuaEngine(openLibs: boolean): LuaEngine {
  const f = fengariLibrary()
  const { lua, lauxlib, lualib, to_luastring } = f
  const strings = new Map<string, LuaString>()
  const s = (text: string): LuaString => {
    let bytes = strings.get(text)
    if (!bytes) {
      bytes = to_luastring(text)
      if (text.length < 64) strings.set(text, bytes)
    }
    return bytes
  }
  const L = lauxlib.luaL_newstate()
  lauxlib.luaL_requiref(L, s('_G'), lualib.luaopen_base as never, 1)
  lua.lua_pop(L, 1)
  for (const name of openLibs ? GOPHER_LIBS : ['package', 'table']) {
    const open = lualib[`luaopen_${name}`]
    if (!open) continue
    lauxlib.luaL_requiref(L, s(name), open, 1)
    lua.lua_pop(L, 1)
  }
  const run = loadChunk(f, L, s)
  run(COMPAT_51)
  installGoFormat({ f, L, s })
  installGopherLibrary({ f, L, s })
  installGopherPackage(f, L, s)
  installGopherBase({ f, L, s })
  installGopherTable({ f, L, s })
  installGopherSort({ f, L, s })
  installGopherCalls({ f, L, s })
  run(WITHOUT_53)
  const shared: { guard: SharedGuard | undefined } = { guard: undefined }
  installGopherFenv({ f, L, s })
  if (openLibs) gopherDebug(f, L, s, shared)
  const ownStrings: OwnStrings = { own: new WeakSet(), pointed: false }
  libraryStandIns(f, L, s, ownStrings, shared)
  // The template every run copies: the globals as the libraries left them.
  lua.lua_pushvalue(L, lua.LUA_REGISTRYINDEX)
  lua.lua_rawgeti(L, -1, 2 /* LUA_RIDX_GLOBALS */)
  let template = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
  lua.lua_pop(L, 1)
  // The strings' metatable (the string library opens it), whose __index each run points at its string.
  let stringMeta: number | undefined
  lua.lua_pushstring(L, s(''))
  let stringMetaTable: object | undefined
  if (lua.lua_getmetatable(L, -1)) {
    stringMetaTable = lua.lua_topointer(L, -1)
    stringMeta = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
  }
  lua.lua_pop(L, 1)

  /** Loads a gopherized source, its chunk left on the stack; fengari's message when it does not compile. */
  const load = (source: string): string | undefined => {
    const loaded = withGoPow(() =>
      lauxlib.luaL_loadbufferx(L, to_luastring(source), null, s('=<string>'), s('t')),
    )
    if (loaded === lua.LUA_OK) return undefined
    const message = utf8(lua.lua_tostring(L, -1))
    lua.lua_pop(L, 1)
    return message
  }

  /** Makes the run's environment the state's globals and its own strings' methods; what leave needs. */
  const enter = (envIndex: number): object => {
    // The run's environment is the state's globals meanwhile, so a chunk loadstring makes sees
    // it (gopher-lua: the request's own state) and leaves nothing behind for the next request.
    lua.lua_pushvalue(L, envIndex)
    lua.lua_rawseti(L, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
    const owner = lua.lua_topointer(L, envIndex)
    // What this call's earlier runs wrote into the shared tables is its own again for this run.
    shared.guard?.enter(owner)
    const ownString = ownStrings.own.has(owner)
    if (stringMeta !== undefined && stringMetaTable && (ownString || ownStrings.pointed)) {
      // A string's methods are the run's own string library (gopher-lua: the request's state's).
      const point = () => {
        lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, stringMeta)
        lua.lua_getfield(L, envIndex, s('string'))
        if (lua.lua_type(L, -1) === lua.LUA_TTABLE) lua.lua_setfield(L, -2, s('__index'))
        else lua.lua_pop(L, 1)
        lua.lua_pop(L, 1)
      }
      if (shared.guard) shared.guard.engineWrite(stringMetaTable, point)
      else point()
      ownStrings.pointed = ownString
    }
    return owner
  }
  const leave = (owner: object) => {
    shared.guard?.leave(owner)
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, template)
    lua.lua_rawseti(L, lua.LUA_REGISTRYINDEX, 2 /* LUA_RIDX_GLOBALS */)
  }
  /** gopher-lua's stack trace of the run's error, taken where it was raised (traceHandler). */
  let trace: string | undefined
  /** The runs' message handler: keeps the trace, leaves the error value as it is. */
  const traceHandler = (state: LuaState): number => {
    trace = gopherTraceback(f, state, s)
    return 1
  }
  /** The error at the top of the stack (popped) as KrakenD reports it. */
  const failure = (chunk: Chunk): LuaError => {
    const message = gopherArgumentWording(errorText(f, L))
    lua.lua_pop(L, 1)
    const stackTrace = trace
    trace = undefined
    // A Go panic in gopher-lua's library escapes krakend-lua unconverted: gin's recovery answers.
    // One in a binder function (http_response's) is PCall's error, its Go stack trace after a newline.
    if (message.startsWith(GO_RUNTIME_PANIC) && !message.includes('\n'))
      return { message, status: undefined, contentType: undefined, panic: true }
    return krakendError(binderMessage(message, stackTrace), chunk.map)
  }
  /** What a suspended run waits for (suspend sets it, runSuspending awaits it). */
  let waiting: Promise<void> | undefined
  let broken = false
  /** Calls the chunk above it through a pcall a yield may cross: true, or false and the error. */
  const finishRun = (state: LuaState, status: number): number => {
    if (status === lua.LUA_OK || status === lua.LUA_YIELD) {
      lua.lua_pushboolean(state, true)
      return 1
    }
    lua.lua_pushboolean(state, false)
    lua.lua_insert(state, -2)
    return 2
  }
  const protectedRun = (state: LuaState): number => {
    lua.lua_pushjsfunction(state, traceHandler)
    lua.lua_insert(state, 1)
    return finishRun(state, lua.lua_pcallk(state, 0, 0, 1, 0, finishRun))
  }
  const raiseAt = (state: LuaState, message: string): never => {
    lauxlib.luaL_where(state, 1)
    lua.lua_pushstring(state, to_luastring(message))
    lua.lua_concat(state, 2)
    return lua.lua_error(state)
  }

  return {
    f,
    L,
    s,
    compile(script, map) {
      const source = gopherize(script)
      if (source.error !== undefined) {
        // gopher-lua's parser stops at the first token it cannot take: a syntax error before the
        // token its lexer refuses is the one KrakenD reports (the end of the cut text is no error).
        // Only the parser's errors (at a token): a `break` outside a loop is the compiler's, later.
        const before = gopherize(script.slice(0, source.offset))
        const failed = before.error === undefined ? load(before.source) : undefined
        if (before.error === undefined && failed === undefined) lua.lua_pop(L, 1)
        const earlier = failed === undefined ? undefined : gopherSyntaxMessage(failed)
        const first = earlier?.startsWith('Line 0:') === false ? earlier : source.error
        return { error: krakendError(first, map) }
      }
      const failed = load(source.source)
      if (failed !== undefined)
        return { error: krakendError(gopherSyntaxMessage(failed) ?? binderMessage(failed), map) }
      const parts: Uint8Array[] = []
      lua.lua_dump(
        L,
        (_L, bytes, size) => {
          parts.push(bytes.slice(0, size))
          return 0
        },
        null,
        0,
      )
      lua.lua_pop(L, 1)
      return { bytecode: Buffer.concat(parts), map }
    },
    pushEnvironment() {
      lua.lua_createtable(L, 0, 48)
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, template)
      lua.lua_pushnil(L)
      while (lua.lua_next(L, -2) !== 0) {
        lua.lua_pushvalue(L, -2)
        lua.lua_pushvalue(L, -2)
        lua.lua_rawset(L, -6)
        lua.lua_pop(L, 1)
      }
      lua.lua_pop(L, 1)
      lua.lua_pushvalue(L, -1)
      lua.lua_setfield(L, -2, s('_G'))
    },
    run(chunk, env) {
      const envIndex = env < 0 ? lua.lua_gettop(L) + env + 1 : env
      lua.lua_pushjsfunction(L, traceHandler)
      const handler = lua.lua_gettop(L)
      lauxlib.luaL_loadbufferx(L, chunk.bytecode, chunk.bytecode.length, s('=<string>'), s('b'))
      lua.lua_pushvalue(L, envIndex)
      lua.lua_setupvalue(L, -2, 1)
      const owner = enter(envIndex)
      trace = undefined
      const status = withGoPow(() => lua.lua_pcall(L, 0, 0, handler))
      leave(owner)
      const failed = status === lua.LUA_OK ? undefined : failure(chunk)
      lua.lua_pop(L, 1) // the handler, the error popped
      return failed
    },
    async runSuspending(chunk, env) {
      const base = lua.lua_gettop(L)
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, env)
      const envIndex = base + 1
      lua.lua_pushjsfunction(L, protectedRun)
      lauxlib.luaL_loadbufferx(L, chunk.bytecode, chunk.bytecode.length, s('=<string>'), s('b'))
      lua.lua_pushvalue(L, envIndex)
      lua.lua_setupvalue(L, -2, 1)
      let nargs = 1
      trace = undefined
      for (;;) {
        const owner = enter(envIndex)
        const status = withGoPow(() => lua.lua_resume(L, null, nargs))
        leave(owner)
        nargs = 0
        if (status === lua.LUA_OK) break
        if (status !== lua.LUA_YIELD) {
          // Only the stack's own limits get past protectedRun: the main thread is dead, so is the engine.
          broken = true
          const failed = failure(chunk)
          lua.lua_settop(L, base)
          return failed
        }
        const work = waiting
        waiting = undefined
        await work
      }
      // protectedRun's results where it stood: true, or false and the error.
      if (lua.lua_toboolean(L, envIndex + 1)) {
        lua.lua_settop(L, base)
        return undefined
      }
      lua.lua_settop(L, envIndex + 2)
      const failed = failure(chunk)
      lua.lua_settop(L, base)
      return failed
    },
    suspend(state, start, resumed, refused) {
      if (!start || state !== L || !lua.lua_isyieldable(state)) return raiseAt(state, refused)
      waiting = start().then(
        () => {},
        () => {},
      )
      return lua.lua_yieldk(state, 0, 0, (resumedState) => resumed(resumedState))
    },
    seal() {
      template = gopherOrder(f, L, s, template)
      shared.guard = sealShared(L)
    },
    intact() {
      return !broken && (shared.guard === undefined || shared.guard.intact())
    },
  }
}

const jsPow = Math.pow
/**
 * Runs `work` (a chunk's compilation or run: synchronous) with Go's math.Pow as Math.pow, which
 * fengari's VM and constant folding call for `^`: gopher-lua's `^` is Go's Pow (5 ^ 100, 1 ^ (1/0)).
 */
export function withGoPow<T>(work: () => T): T {
  Math.pow = goPow
  try {
    return work()
  } finally {
    Math.pow = jsPow
  }
}

/** Runs a setup chunk in the state's own globals (the 5.1 names scripts for gopher-lua use). */
function loadChunk(f: Fengari, L: LuaState, s: (text: string) => LuaString) {
  return (source: string) => {
    f.lauxlib.luaL_loadbufferx(L, f.to_luastring(source), null, s('=compat'), s('t'))
    if (f.lua.lua_pcall(L, 0, 0, 0) !== f.lua.LUA_OK) throw new Error(errorText(f, L))
  }
}

/**
 * Lua 5.1 names gopher-lua has and Lua 5.3 dropped (getfenv, setfenv and newproxy are
 * lua-gopher-fenv.ts's). module is not given: a script calling it fails (see the README's list of differences).
 */
const COMPAT_51 = `
_VERSION = "Lua 5.1"
unpack = unpack or (table and table.unpack)
loadstring = load
if table then
  table.setn = function() error("setn is obsolete") end
end
if math then
  math.mod = math.fmod
  math.frexp = math.frexp or function(x)
    if x == 0 then return 0.0, 0 end
    local e = math.floor(math.log(math.abs(x), 2)) + 1
    local m = x / 2.0 ^ e
    if math.abs(m) >= 1 then m, e = m / 2, e + 1 end
    return m, e
  end
  math.cosh = function(x) return (math.exp(x) + math.exp(-x)) / 2 end
  math.sinh = function(x) return (math.exp(x) - math.exp(-x)) / 2 end
  math.tanh = function(x) local a, b = math.exp(x), math.exp(-x) return (a - b) / (a + b) end
  math.atan2 = math.atan
  math.huge = 1.7976931348623157e308
end
if string then string.gfind = string.gmatch string.__index = string end
`

/** Lua 5.3's names gopher-lua lacks: a script calling them fails in KrakenD. */
const WITHOUT_53 = `
rawlen = nil
if string then string.pack, string.unpack, string.packsize = nil, nil, nil end
if table then table.unpack, table.pack, table.move, table.setn = nil, nil, nil, nil end
if math then
  math.tointeger, math.type, math.ult, math.maxinteger, math.mininteger = nil, nil, nil, nil, nil
end
if coroutine then coroutine.isyieldable = nil end
`
