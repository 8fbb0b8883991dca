// Lua (modifier/lua-*): fengari (Lua 5.3 in JavaScript) set up to print numbers as gopher-lua
// (KrakenD's Lua) does: integral floats without ".0" (LUA_COMPAT_FLOATSTRING, read from
// FENGARICONF when luaconf loads) and Go's formatting of the rest (luaconf's lua_number2str,
// replaced before lobject copies it). The modules load in this order, so `require`, not `import`:
// literal calls, which esbuild bundles; from source (ESM) Node's own require serves them.
import { createRequire } from 'node:module'
import { checkForBounds, type FengariCode, forBoundAt, type Proto } from '../components/lua-for-bounds.ts'
import { gopherModulo } from '../components/lua-go-math.ts'
import { gopherParseNumber } from '../components/lua-go-parse.ts'
import { type FengariErrors, gopherRuntimeErrors } from '../components/lua-gopher-errors.ts'
import { type FengariObjects, type FengariTables, gopherTableOrder } from '../components/lua-gopher-table.ts'
import { type FengariVm, gopherArithmeticZero } from '../components/lua-gopher-zero.ts'
import { goNumberString } from '../components/lua-numbers.ts'
import { byteOrderStrings, type FengariStrings } from '../components/lua-string-order.ts'

const nodeRequire: NodeJS.Require | undefined =
  typeof require === 'function' ? undefined : createRequire(import.meta.url)

interface FengariParser {
  luaY_parser: (...args: unknown[]) => unknown
}

interface FengariObject {
  luaO_str2num: (
    s: Uint8Array,
    o: { ttisinteger(): boolean; value: number; setfltvalue(n: number): void },
  ) => number
  TValue: new (type: number, value: number) => ReturnType<FengariCode['numberConstant']>
}

/**
 * gopher-lua has one number type (float64): numerals become floats here too, so arithmetic on them
 * is float arithmetic (fengari's integers are 32-bit). A string operand of arithmetic is read as
 * gopher-lua reads it (Go's ParseInt with prefixes, then ParseFloat: "0b101" is 5, "012" is 10,
 * "inf" is +Inf, "5\r" is no number); the parser's numerals keep Lua's reading.
 */
interface FengariDebug {
  luaG_ordererror: (L: FengariThread, p1: unknown, p2: unknown) => never
  luaG_runerror: (L: FengariThread, message: Uint8Array) => never
}
interface FengariThread {
  ci: { l_code?: Parameters<typeof forBoundAt>[0]; l_savedpc: number }
}

/** A bound check of lua-for-bounds.ts fails with gopher-lua's words ("for statement init must be a number"). */
function gopherForErrors(ldebug: FengariDebug, code: FengariCode, text: (s: string) => Uint8Array): void {
  const orderError = ldebug.luaG_ordererror
  ldebug.luaG_ordererror = (L, p1, p2) => {
    const { l_code, l_savedpc } = L.ci
    const bound = l_code ? forBoundAt(l_code, l_savedpc - 1, code) : undefined
    if (bound) ldebug.luaG_runerror(L, text(`for statement ${bound} must be a number`))
    return orderError(L, p1, p2)
  }
}

/** Also: numeric `for` loops take numbers only (lua-for-bounds.ts), checked as each chunk is compiled. */
function gopherNumbers(lobject: FengariObject, lparser: FengariParser, code: FengariCode): void {
  const str2num = lobject.luaO_str2num
  const parser = lparser.luaY_parser
  let parsing = 0
  lparser.luaY_parser = (...args) => {
    parsing += 1
    try {
      const closure = parser(...args) as { p: Proto }
      checkForBounds(closure.p, code)
      return closure
    } finally {
      parsing -= 1
    }
  }
  lobject.luaO_str2num = (s, o) => {
    if (parsing === 0) {
      const value = gopherParseNumber(Buffer.from(s.buffer, s.byteOffset, s.length).toString('latin1'))
      if (value === undefined) return 0
      o.setfltvalue(value)
      return s.length + 1
    }
    const size = str2num(s, o)
    if (size !== 0 && o.ttisinteger()) o.setfltvalue(o.value)
    return size
  }
}

function setUp(): typeof import('fengari') {
  const previous = process.env.FENGARICONF
  process.env.FENGARICONF = JSON.stringify({ LUA_COMPAT_FLOATSTRING: true })
  try {
    // fengaricore loads defs and luaconf in fengari's own order (they require each other), not lobject.
    nodeRequire?.('fengari/src/fengaricore.js') ?? require('fengari/src/fengaricore.js')
    const conf = (nodeRequire?.('fengari/src/luaconf.js') ?? require('fengari/src/luaconf.js')) as {
      lua_number2str: (n: number) => string
    }
    conf.lua_number2str = goNumberString
    byteOrderStrings(
      (nodeRequire?.('fengari/src/lstring.js') ?? require('fengari/src/lstring.js')) as FengariStrings,
    )
    // `%` as gopher-lua's luaModulo (fengari's tested m*b < 0, which underflows to 0 for tiny operands),
    // set before lvm and lobject take it.
    const llimits = (nodeRequire?.('fengari/src/llimits.js') ?? require('fengari/src/llimits.js')) as {
      luai_nummod: (L: unknown, a: number, b: number) => number
    }
    llimits.luai_nummod = (_L, a, b) => gopherModulo(a, b)
    const fengari = (nodeRequire?.('fengari') ?? require('fengari')) as typeof import('fengari')
    const lobject = (nodeRequire?.('fengari/src/lobject.js') ??
      require('fengari/src/lobject.js')) as FengariObject
    const floatType = (fengari.lua.LUA_TNUMBER as number) | (0 << 4) // LUA_TNUMFLT
    const code: FengariCode = {
      lopcodes: (nodeRequire?.('fengari/src/lopcodes.js') ??
        require('fengari/src/lopcodes.js')) as FengariCode['lopcodes'],
      numberConstant: () => new lobject.TValue(floatType, 0),
    }
    gopherNumbers(
      lobject,
      (nodeRequire?.('fengari/src/lparser.js') ?? require('fengari/src/lparser.js')) as FengariParser,
      code,
    )
    const ldebug = nodeRequire?.('fengari/src/ldebug.js') ?? require('fengari/src/ldebug.js')
    // Before gopherForErrors, which hands the comparisons that are no for bound to this one.
    gopherRuntimeErrors({
      ldebug: ldebug as FengariErrors['ldebug'],
      ltm: (nodeRequire?.('fengari/src/ltm.js') ?? require('fengari/src/ltm.js')) as FengariErrors['ltm'],
      lopcodes: code.lopcodes as unknown as FengariErrors['lopcodes'],
      text: (s) => fengari.to_luastring(s),
      string: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'),
    })
    gopherForErrors(ldebug as FengariDebug, code, (s) => fengari.to_luastring(s))
    gopherTableOrder(
      (nodeRequire?.('fengari/src/ltable.js') ?? require('fengari/src/ltable.js')) as FengariTables,
      lobject as unknown as FengariObjects,
      fengari.lua.LUA_TNUMBER,
    )
    const ops = (code.lopcodes as unknown as { OpCodesI: Record<string, number> }).OpCodesI
    gopherArithmeticZero({
      lvm: (nodeRequire?.('fengari/src/lvm.js') ?? require('fengari/src/lvm.js')) as FengariVm,
      TValue: lobject.TValue as unknown as Parameters<typeof gopherArithmeticZero>[0]['TValue'],
      floatType,
      luaCall: (
        (nodeRequire?.('fengari/src/lstate.js') ?? require('fengari/src/lstate.js')) as { CIST_LUA: number }
      ).CIST_LUA,
      arithmetic: ['OP_ADD', 'OP_SUB', 'OP_MUL', 'OP_DIV', 'OP_MOD', 'OP_POW'].map(
        (name) => ops[name] as number,
      ),
      constant: code.lopcodes.BITRK,
      stringType: fengari.lua.LUA_TSTRING as number,
    })
    return fengari
  } finally {
    if (previous === undefined) delete process.env.FENGARICONF
    else process.env.FENGARICONF = previous
  }
}

export const fengari = setUp()
