/**
 * gopher-lua's stackTrace(0), which PCall hangs on every error of a script (ApiError.StackTrace):
 * binder's message is the error value and this text where the value holds fewer than two colons
 * (`error('x', 0)`, `error(42)`, `error(nil)`), and krakend-lua cuts the message at its first colon,
 * so the client reads the trace (`\t[G]: in function 'error'\n\t<string>:1: in main chunk\n\t[G]: ?`).
 * Read from fengari's stack where the error is raised (the run's message handler): a frame per
 * call, `[G]:` for a Go function (here a JS one, or a library helper written in Lua), the script's
 * `<string>:line:` otherwise, each named as gopher-lua names it from the call instruction.
 */
import type { LuaState, LuaString } from 'fengari'
import type { Fengari } from './lua-engine.ts'

/** The chunk name scripts are compiled under: `<string>` in messages, as gopher-lua's DoString. */
const SCRIPT_SOURCE = '=<string>'
/** fengari's names of calls gopher-lua's compiler records (DbgCalls: a CALL's function expression). */
const CALL_NAMES = new Set(['global', 'local', 'method', 'field', 'upvalue', 'constant'])
/** gopher-lua shortens a longer trace to its first and last seven lines. */
const MAX_LINES = 20
const KEPT_LINES = 7

interface Frame {
  go: boolean
  line: number
  source: string
  lineDefined: number
  main: boolean
  tail: boolean
  /** The name a script caller's call instruction gives the function; undefined: no call instruction called it. */
  callName: string | undefined
}

interface DebugRecord {
  what: Uint8Array
  source: Uint8Array
  currentline: number
  linedefined: number
  istailcall: number | boolean
  name: Uint8Array | null
  namewhat: Uint8Array
}

/** The trace of the stack from `level` (1: the function that raised, seen from a message handler). */
export function gopherTraceback(
  f: Fengari,
  state: LuaState,
  s: (text: string) => LuaString,
  level = 1,
): string {
  const { lua } = f
  const ar = new lua.lua_Debug() as unknown as DebugRecord
  const exists = (at: number) => lua.lua_getstack(state, at, ar) !== 0
  const frameAt = (at: number): Frame => {
    lua.lua_getstack(state, at, ar)
    lua.lua_getinfo(state, s('Slnt'), ar)
    const what = f.to_jsstring(ar.what)
    const source = f.to_jsstring(ar.source)
    const script = what !== 'J' && what !== 'C' && source === SCRIPT_SOURCE
    const namewhat = f.to_jsstring(ar.namewhat)
    return {
      go: !script,
      line: ar.currentline,
      source: source.replace(/^[=@]/, ''),
      lineDefined: ar.linedefined,
      main: script && what === 'main',
      tail: Boolean(ar.istailcall),
      // No name from a script caller's call instruction: an expression gopher-lua names `?` too.
      callName:
        CALL_NAMES.has(namewhat) && namewhat !== 'constant' && ar.name
          ? f.to_jsstring(ar.name)
          : CALL_NAMES.has(namewhat) || (namewhat === '' && !ar.istailcall)
            ? '?'
            : undefined,
    }
  }
  const frames = (from: number, to: number): Frame[] => {
    const out: Frame[] = []
    for (let at = from; at <= to; at++) out.push(frameAt(at))
    return out
  }
  // lua_getstack walks the stack from its top: a deep recursion (a stack overflow) is read at its two
  // ends only, the deepest level found by bisection, as gopher-lua keeps only the ends of a long trace.
  let deepest = level - 1
  let beyond = level
  while (exists(beyond)) {
    deepest = beyond
    beyond *= 2
  }
  while (beyond - deepest > 1) {
    const middle = Math.floor((deepest + beyond) / 2)
    if (exists(middle)) deepest = middle
    else beyond = middle
  }
  if (deepest - level < 2 * MAX_LINES) return traceText(traceLines(frames(level, deepest)))
  const top = traceLines(frames(level, level + KEPT_LINES), false).slice(0, KEPT_LINES)
  const bottom = traceLines(frames(deepest - 2 * KEPT_LINES, deepest)).slice(-KEPT_LINES)
  return traceText([...top, '\t...', ...bottom])
}

/**
 * The trace's lines of consecutive frames, callee first, each named from its caller (the next one):
 * with `bottom`, down to the script's main chunk (the gateway's callers below it left out) and the
 * `[G]: ?` gopher-lua ends with.
 */
function traceLines(frames: Frame[], bottom = true): string[] {
  let last = frames.length - 1
  if (bottom) while (last > 0 && !(frames[last] as Frame).main) last--
  const lines: string[] = []
  for (let i = 0; i <= last; i++) {
    const frame = frames[i] as Frame
    const where = frame.go ? '[G]:' : `${frame.source}:${frame.line}:`
    const main = bottom && i === last && frame.main
    lines.push(`\t${where} in ${main ? 'main chunk' : functionName(frame, frames[i + 1])}`)
    if (frame.tail && !frame.go) lines.push('\t(tailcall): ?')
  }
  if (bottom) lines.push('\t[G]: ?')
  return lines
}

function traceText(lines: string[]): string {
  const kept =
    lines.length > MAX_LINES ? [...lines.slice(0, KEPT_LINES), '\t...', ...lines.slice(-KEPT_LINES)] : lines
  return `stack traceback:\n${kept.join('\n')}`
}

/**
 * gopher-lua's formattedFrameFuncName: the name of the call instruction of a script caller (`?` for
 * an expression it cannot name), a Lua function that has none (a tail call, `?`, one a Go function or
 * a metamethod called) `<source:line defined>`, a Go function otherwise `(anonymous)`.
 */
function functionName(frame: Frame, caller: Frame | undefined): string {
  const called = caller !== undefined && !caller.go ? frame.callName : undefined
  let name = called ?? (frame.go ? '(anonymous)' : '?')
  if ((name === '?' || frame.tail) && !frame.go) name = `<${frame.source}:${frame.lineDefined}>`
  return name.startsWith('(') || name.startsWith('<') ? `function ${name}` : `function '${name}'`
}
