/**
 * Lua errors as KrakenD reports them: gopher-lua's syntax errors, binder's Error() and krakend-lua's
 * ToError (custom_error's status, or the source file and line of an internal error).
 */
import type { LuaState } from 'fengari'
import { bytesOfText } from '../byte-text.ts'
import { goWrittenHeaderValue } from './go-header-value.ts'
import type { Fengari } from './lua-engine.ts'

/** The file names and line counts error lines are mapped to (krakend-lua's SourceMap). */
export type SourceMap = Array<{ lines: number; path: string }>

export function errorText(f: Fengari, L: LuaState): string {
  const { lua, lauxlib } = f
  if (lua.lua_type(L, -1) === lua.LUA_TSTRING) return utf8(lua.lua_tostring(L, -1))
  const text = utf8(lauxlib.luaL_tolstring(L, -1))
  lua.lua_pop(L, 1)
  return text
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
 * binder's Error(): "Line N: text" for an error with a line ("<string>:N: text"), the message
 * itself otherwise; syntax errors ("<string>:N: text near 'x'") keep what follows "near".
 */
export function binderMessage(message: string): string {
  const parts = message.split(':')
  const line = parts.length > 1 && /^\d+$/.test(parts[1] as string) ? Number(parts[1]) : -1
  if (line < 0) return message
  const text = parts.length > 2 ? parts.slice(2).join(':').trim() : message
  return `Line ${line}: ${text}`
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

/**
 * custom_error's content type as Go's server writes the line gin adds: the script's bytes, over
 * HTTP/1.1 CR and LF as spaces; undefined where Go's HTTP/2 server drops it or where Go writes a
 * control byte raw, which node:http cannot (goWrittenHeaderValue).
 */
export function writtenContentType(type: string, http1: boolean): string | undefined {
  return goWrittenHeaderValue(bytesOfText(type), http1)
}

function toError(original: string, map: SourceMap): LuaError {
  const split = original.indexOf(':')
  const parts = original.slice(split + 2).split(' || ')
  const first = parts[0] as string
  if (parts.length === 1) {
    const line = split >= 5 ? goAtoi(original.slice(5, split)) : 0
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

function goAtoi(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text) ? Number(text) : undefined
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
