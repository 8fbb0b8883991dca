/**
 * `http_response` (krakend-lua's decorator/http.go): a script's own HTTP call with Go's
 * http.DefaultClient, in every place a script runs. `http_response.new(url)` sends a GET without a
 * body; `new(url, method, body[, headers])` sends that method and body (headers: a table of a name
 * to a string or a list of strings). The script waits for the answer (here it is suspended: see
 * LuaEngine.suspend) and gets an object with `statusCode()`, `headers(name)`, `headerList(name)`,
 * `body()` (read whole, once) and `close()`; after close the others are Go nil dereferences.
 */
import type { LuaState } from 'fengari'
import { canonicalHeaderKey } from '../go-url.ts'
import { GoNilPanic, type LuaHttpAnswer, type LuaHttpCall, type LuaHttpRequest } from '../lua-http-client.ts'
import type { Method } from './lua-api-args.ts'
import type { LuaEngine } from './lua-engine.ts'
import { luaCallerPlace } from './lua-gopher-calls.ts'
import { goNumberString } from './lua-numbers.ts'
import {
  argBytes,
  argString,
  boxAt,
  LIST,
  type ListBox,
  pushString,
  pushUserData,
  raise,
  top,
} from './lua-values.ts'

export const HTTP_RESPONSE = 'http_response'

/** The userdata's payload: the answer until close, the body once read. */
interface HttpBox {
  answer: LuaHttpAnswer | undefined
  body: Buffer | undefined
}

const REFUSED =
  'gwdeploy: http_response cannot wait for its answer here (inside a coroutine of the script, a function a library calls back such as a sort comparison or gsub replacement, or a script whose text never names http_response): call it from the script itself'

/**
 * A Go nil dereference in a binder function: gopher-lua's PCall recovers it as an error of the panic's
 * text and Go's stack trace after a newline (IncludeGoStackTrace), which is not reproduced here.
 */
function nilAnswer(e: LuaEngine, state: LuaState): never {
  e.f.lua.lua_pushstring(state, e.f.to_luastring(`${new GoNilPanic().message}\n`))
  return e.f.lua.lua_error(state)
}

/** binder's RaiseError: the message at the nearest Lua caller's place (pcall(http_response.new, ...) too). */
function raiseHere(e: LuaEngine, state: LuaState, message: string): never {
  e.f.lua.lua_pushstring(state, e.f.to_luastring(`${luaCallerPlace(e, state)}${message}`))
  return e.f.lua.lua_error(state)
}

/** http_response.new: the call for the run in `current` (none: the run cannot wait, see REFUSED). */
export function newHttpResponse(http: () => LuaHttpCall | undefined): Method {
  return (e, state) => {
    const n = top(e)
    if (n === 0 || n === 2) return raise(e, 'need 1, 3 or 4 arguments')
    const request: LuaHttpRequest = { method: undefined, url: argString(e, 1), headers: {}, body: undefined }
    if (n > 2) {
      request.method = argString(e, 2)
      request.body = Buffer.from(argBytes(e, 3))
      if (n === 4 && e.f.lua.lua_type(e.L, 4) === e.f.lua.LUA_TTABLE) request.headers = headerTable(e, 4)
    }
    const call = http()
    let outcome: { answer: LuaHttpAnswer } | { error: Error } | undefined
    const started = () =>
      call
        ? call.client.send(request, call.cancel).then(
            (answer) => {
              outcome = { answer }
            },
            (error: Error) => {
              outcome = { error }
            },
          )
        : Promise.resolve()
    return e.suspend(
      state,
      call ? started : undefined,
      (resumed) => {
        if (!outcome) return raise(e, REFUSED)
        if ('error' in outcome) {
          if (outcome.error instanceof GoNilPanic) return nilAnswer(e, resumed)
          return raiseHere(e, resumed, outcome.error.message)
        }
        pushUserData(e, HTTP_RESPONSE, { answer: outcome.answer, body: undefined } satisfies HttpBox)
        return 1
      },
      REFUSED,
    )
  }
}

/**
 * The headers argument as krakend-lua reads it (ForEach over the table): a string value is added, a
 * table's values each added as text; other values are skipped. Keys are read as Lua prints them.
 */
function headerTable(e: LuaEngine, index: number): Record<string, string[]> {
  const { lua } = e.f
  const L = e.L
  const headers: Record<string, string[]> = Object.create(null)
  const add = (key: string, value: string) => {
    const name = canonicalHeaderKey(key)
    const list = headers[name]
    if (list) list.push(value)
    else headers[name] = [value]
  }
  lua.lua_pushnil(L)
  while (lua.lua_next(L, index) !== 0) {
    const key = luaText(e, -2)
    const type = lua.lua_type(L, -1)
    if (key !== undefined && type === lua.LUA_TSTRING) add(key, argText(e, -1))
    else if (key !== undefined && type === lua.LUA_TTABLE) {
      const list = lua.lua_gettop(L)
      lua.lua_pushnil(L)
      while (lua.lua_next(L, list) !== 0) {
        const value = luaText(e, -1)
        if (value !== undefined) add(key, value)
        lua.lua_pop(L, 1)
      }
    }
    lua.lua_pop(L, 1)
  }
  return headers
}

/** A string or number as LValue.String() writes it; undefined for other types (not read here). */
function luaText(e: LuaEngine, index: number): string | undefined {
  const { lua } = e.f
  const type = lua.lua_type(e.L, index)
  if (type === lua.LUA_TSTRING) return argText(e, index)
  if (type === lua.LUA_TNUMBER) return goNumberString(lua.lua_tonumber(e.L, index))
  if (type === lua.LUA_TBOOLEAN) return lua.lua_toboolean(e.L, index) ? 'true' : 'false'
  return undefined
}

function argText(e: LuaEngine, index: number): string {
  const at = index < 0 ? e.f.lua.lua_gettop(e.L) + index + 1 : index
  return argString(e, at)
}

const boxOf = (e: LuaEngine) => boxAt<HttpBox>(e, 1, HTTP_RESPONSE, 'response expected')

export const HTTP_RESPONSE_METHODS: Record<string, Method> = {
  statusCode(e, state) {
    const box = boxOf(e)
    if (!box.answer) return nilAnswer(e, state)
    e.f.lua.lua_pushnumber(e.L, box.answer.status)
    return 1
  },
  headers(e, state) {
    const box = boxOf(e)
    if (top(e) !== 2) return raise(e, 'need arguments')
    if (!box.answer) return nilAnswer(e, state)
    pushString(e, box.answer.headers[canonicalHeaderKey(argString(e, 2))]?.[0] ?? '')
    return 1
  },
  headerList(e, state) {
    const box = boxOf(e)
    if (top(e) !== 2) return raise(e, 'need arguments')
    if (!box.answer) return nilAnswer(e, state)
    const values = box.answer.headers[canonicalHeaderKey(argString(e, 2))] ?? []
    pushUserData(e, LIST, { data: [...values] } satisfies ListBox)
    return 1
  },
  body(e, state) {
    const box = boxOf(e)
    const push = () => {
      pushString(e, box.body ?? new Uint8Array())
      return 1
    }
    if (box.body !== undefined) return push()
    const answer = box.answer
    if (!answer) return nilAnswer(e, state)
    return e.suspend(
      state,
      () =>
        answer.read().then((bytes) => {
          box.body = bytes
        }),
      push,
      REFUSED,
    )
  },
  close(e) {
    const box = boxOf(e)
    box.answer?.drop()
    box.answer = undefined
    return 0
  },
}
