/**
 * Lua errors as KrakenD reports them: gopher-lua's syntax errors, binder's Error() and krakend-lua's
 * ToError (custom_error's status, or the source file and line of an internal error).
 */
import type { LuaState } from 'fengari'
import type { Fengari } from './lua-engine.ts'
import { GO_RUNTIME_PANIC } from './lua-gopher-args.ts'
import { goNumberString } from './lua-numbers.ts'

/** The file names and line counts error lines are mapped to (krakend-lua's SourceMap). */
export type SourceMap = Array<{ lines: number; path: string }>

/**
 * The error value at the top of the stack as gopher-lua's String() writes it: a number as Go's %v, a
 * table, function, userdata or thread `type: 0x…` (its address; a __tostring is not read).
 */
export function errorText(f: Fengari, L: LuaState): string {
  const { lua } = f
  const type = lua.lua_type(L, -1)
  if (type === lua.LUA_TSTRING) return utf8(lua.lua_tostring(L, -1))
  if (type === lua.LUA_TNUMBER) return goNumberString(lua.lua_tonumber(L, -1))
  if (type === lua.LUA_TNIL) return 'nil'
  if (type === lua.LUA_TBOOLEAN) return lua.lua_toboolean(L, -1) ? 'true' : 'false'
  const id = (lua.lua_topointer(L, -1) as { id?: number }).id ?? 0
  return `${utf8(lua.lua_typename(L, type))}: 0x${id.toString(16)}`
}

/**
 * binder's Error() of gopher-lua's syntax error for fengari's ("<string>:N: ... near 'tok'"): at the
 * token, "Line N: 'tok': syntax error"; at the end of the script, "Line 0: syntax error at EOF" (an
 * unfinished string "unterminated string at EOF", an expression statement "parse error"). Undefined
 * for a message of another shape.
 */
export function gopherSyntaxMessage(message: string): string | undefined {
  const parsed = /^<string>:(\d+): (.*) near (<eof>|'[\s\S]*')$/.exec(message)
  if (!parsed) return undefined
  const [, line, what, near] = parsed as unknown as [string, string, string, string]
  const unfinished = what.startsWith('unfinished string')
  // fengari's bare 'syntax error' before anything but '=' or ',' is an expression statement that is no
  // call ('a b', 'x = 3x'), which gopher-lua's parser calls a parse error.
  const kind = what === 'syntax error' && near !== "'='" && near !== "','" ? 'parse error' : 'syntax error'
  if (near === '<eof>') return `Line 0: ${unfinished ? 'unterminated string' : kind} at EOF`
  // A string token is named by its text without its quotes; an unfinished one where its line ends,
  // which gopher-lua's lexer has counted by then.
  const token = /^'(['"])([\s\S]*?)\1?'$/.exec(near)
  const named = token ? `'${token[2]}'` : near
  if (unfinished) return `Line ${Number(line) + 1}: ${named}: unterminated string`
  return `Line ${line}: ${named}: ${kind}`
}

/**
 * binder's Error() of gopher-lua's error value `message` (its String()): split at its colons, what
 * follows the second one, trimmed ("<string>:N: text": "Line N: text"); a value with fewer colons
 * is ApiError's Error(), the value and PCall's `stackTrace` on the next line, "Line N: " before it
 * where the value's second field is a number ("a:5").
 */
export function binderMessage(message: string, stackTrace?: string): string {
  const parts = message.split(':')
  const line = parts.length > 1 ? goAtoi(parts[1] as string) : undefined
  const text =
    parts.length > 2
      ? parts
          .slice(2)
          .join(':')
          .replace(/^ +| +$/g, '')
      : stackTrace === undefined
        ? message
        : `${message}\n${stackTrace}`
  return line !== undefined && line >= 0 ? `Line ${line}: ${text}` : text
}

/**
 * krakend-lua's ToError on binder's message: a custom_error ("msg || status[ || type]") becomes
 * an HTTP error, anything else an internal error naming the source file and line.
 */
export function krakendError(binder: string, map: SourceMap): LuaError {
  return toError(binder, map)
}

export interface LuaError {
  message: string
  /** custom_error's status; undefined: an internal error (500). */
  status: number | undefined
  contentType: string | undefined
  /** A Go runtime panic in gopher-lua's library: KrakenD's gin recovery answers a bare 500. */
  panic?: boolean
}

function toError(original: string, map: SourceMap): LuaError {
  const split = original.indexOf(':')
  // Go slices the text past its first colon and one more byte: past its end (no colon in a text of
  // one byte, a colon last) that panics, as slicing [5:colon] does for a colon before the sixth byte.
  if (split + 2 > original.length) return slicePanic(original, split + 2, original.length)
  const parts = original.slice(split + 2).split(' || ')
  const first = parts[0] as string
  if (parts.length === 1) {
    if (split < 5) return slicePanic(original, 5, split)
    const line = goAtoi(original.slice(5, split))
    const where = affectedSource(map, line ?? 0)
    return {
      message: where ? `${first} (${where.file}:L${where.line})` : first,
      status: undefined,
      contentType: undefined,
    }
  }
  const code = goAtoi(parts[1] as string) ?? 500
  if (code === -1) return { message: first, status: undefined, contentType: undefined }
  return { message: first, status: code, contentType: parts.length > 2 ? parts[2] : undefined }
}

/** A Go runtime panic of ToError's slicing: gin's recovery answers (a bare 500). */
function slicePanic(original: string, low: number, high: number): LuaError {
  const bounds = high < 0 ? `[:${high}]` : `[${low}:${high}]`
  return {
    message: `${GO_RUNTIME_PANIC}slice bounds out of range ${bounds} (${JSON.stringify(original)})`,
    status: undefined,
    contentType: undefined,
    panic: true,
  }
}

/** Go's strconv.Atoi: an optional sign and decimal digits, within int64. */
function goAtoi(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined
  const n = BigInt(text)
  return n >= -(2n ** 63n) && n < 2n ** 63n ? Number(n) : undefined
}

function affectedSource(map: SourceMap, line: number): { file: string; line: number } | undefined {
  let count = 0
  for (const source of map) {
    count += source.lines
    if (count >= line) return { file: baseName(source.path), line: source.lines - (count - line) }
  }
  return undefined
}

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1) || '.'

/** A source's entry in the map: its lines once leading and trailing newlines are trimmed. */
export function sourceEntry(path: string, source: string): { lines: number; path: string } {
  const trimmed = source.replace(/^\n+|\n+$/g, '')
  return { lines: trimmed.split('\n').length, path }
}

/** Lua bytes as text, invalid UTF-8 as U+FFFD (fengari's to_jsstring throws on it). */
export function utf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8')
}
