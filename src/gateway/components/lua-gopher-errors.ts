/**
 * Runtime errors worded as gopher-lua words them: a script error reaches the client (500, with
 * `return_error_msg` its text), so `attempt to index a nil value (local 'a')` (Lua 5.3) is KrakenD's
 * `attempt to index a non-table object(nil) with key 'b'`; calling a nil value is `attempt to call a
 * non-function object`; arithmetic `cannot perform add operation between number and nil`; `#` of a
 * non-table `__len undefined`, unary minus `__unm undefined`; comparison `attempt to compare table
 * with table`. fengari's VM reaches these through its module objects, which are replaced once here.
 */
import { gopherParseNumber } from './lua-go-parse.ts'
import { latin1 } from './lua-gopher-args.ts'
import { goNumberString } from './lua-numbers.ts'

interface Value {
  type: number
  value: unknown
  ttisstring(): boolean
  ttisnumber(): boolean
  ttnov(): number
  svalue(): Uint8Array
}
interface Thread {
  ci: {
    l_code?: Array<{ opcode: number; A: number; B: number; C: number }>
    l_savedpc: number
    l_base: number
    func: { value: { p?: { k: Value[] } } }
  }
  stack: Value[]
}
export interface FengariErrors {
  ldebug: {
    luaG_typeerror: (L: Thread, o: Value, op: Uint8Array) => never
    luaG_ordererror: (L: Thread, p1: Value, p2: Value) => never
    luaG_runerror: (L: Thread, message: Uint8Array) => never
  }
  ltm: {
    luaT_trybinTM: (L: Thread, p1: Value, p2: Value, res: Value, event: number) => void
    luaT_callbinTM: (L: Thread, p1: Value, p2: Value, res: Value, event: number) => boolean
    ttypename: (type: number) => Uint8Array
    TMS: Record<string, number>
  }
  lopcodes: { OpCodesI: Record<string, number>; BITRK: number }
  text(s: string): Uint8Array
  string(bytes: Uint8Array): string
}

export function gopherRuntimeErrors(f: FengariErrors): void {
  const { ldebug, ltm, lopcodes } = f
  const typeName = (o: Value) => f.string(ltm.ttypename(o.ttnov()))
  const fail = (L: Thread, message: string): never => ldebug.luaG_runerror(L, f.text(message))
  const { OP_GETTABUP, OP_GETTABLE, OP_SELF, OP_SETTABUP, OP_SETTABLE } = lopcodes.OpCodesI
  /** The key the instruction that failed was indexing with, read as gopher-lua's key.String(). */
  const indexKey = (L: Thread): string | undefined => {
    const ci = L.ci
    const instruction = ci.l_code?.[ci.l_savedpc - 1]
    const constants = ci.func.value.p?.k
    if (!instruction || !constants) return undefined
    const rk = (x: number) => (x & lopcodes.BITRK ? constants[x & ~lopcodes.BITRK] : L.stack[ci.l_base + x])
    const op = instruction.opcode
    const key =
      op === OP_GETTABUP || op === OP_GETTABLE || op === OP_SELF
        ? rk(instruction.C)
        : op === OP_SETTABUP || op === OP_SETTABLE
          ? rk(instruction.B)
          : undefined
    if (!key) return undefined
    if (key.ttisstring()) return f.string(key.svalue())
    if (key.ttisnumber()) return goNumberString(key.value as number)
    return typeName(key) === 'boolean' || typeName(key) === 'nil' ? String(key.value ?? 'nil') : undefined
  }
  const typeError = ldebug.luaG_typeerror
  ldebug.luaG_typeerror = (L, o, op) => {
    const what = f.string(op)
    if (what === 'call') return fail(L, 'attempt to call a non-function object')
    if (what === 'get length of') return fail(L, '__len undefined')
    if (what === 'index') {
      const key = indexKey(L)
      if (key !== undefined)
        return fail(L, `attempt to index a non-table object(${typeName(o)}) with key '${key}'`)
    }
    return typeError(L, o, op)
  }
  ldebug.luaG_ordererror = (L, p1, p2) => fail(L, `attempt to compare ${typeName(p1)} with ${typeName(p2)}`)
  const names = new Map<number, string>()
  for (const name of ['ADD', 'SUB', 'MUL', 'MOD', 'POW', 'DIV', 'CONCAT'])
    names.set(ltm.TMS[`TM_${name}`] as number, name.toLowerCase())
  const unm = ltm.TMS.TM_UNM
  const trybinTM = ltm.luaT_trybinTM
  // gopher-lua names a string operand that reads as a number 'number' (it converts before failing).
  const operandType = (o: Value) =>
    o.ttisstring() && gopherParseNumber(latin1(o.svalue())) !== undefined ? 'number' : typeName(o)
  ltm.luaT_trybinTM = (L, p1, p2, res, event) => {
    const name = names.get(event)
    if (name === undefined && event !== unm) return trybinTM(L, p1, p2, res, event)
    if (ltm.luaT_callbinTM(L, p1, p2, res, event)) return
    if (event === unm) return fail(L, '__unm undefined')
    const [left, right] =
      name === 'concat' ? [typeName(p1), typeName(p2)] : [operandType(p1), operandType(p2)]
    return fail(L, `cannot perform ${name} operation between ${left} and ${right}`)
  }
}
