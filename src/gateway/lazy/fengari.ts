// Lua (modifier/lua-*): fengari (Lua 5.3 in JavaScript) set up to print numbers as gopher-lua
// (KrakenD's Lua) does: integral floats without ".0" (LUA_COMPAT_FLOATSTRING, read from
// FENGARICONF when luaconf loads) and Go's formatting of the rest (luaconf's lua_number2str,
// replaced before lobject copies it). The modules load in this order, so `require`, not `import`:
// literal calls, which esbuild bundles; from source (ESM) Node's own require serves them.
import { createRequire } from 'node:module'
import { gopherParseNumber } from '../components/lua-go-parse.ts'
import { goNumberString } from '../components/lua-numbers.ts'

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
}

/**
 * gopher-lua has one number type (float64): numerals become floats here too, so arithmetic on them
 * is float arithmetic (fengari's integers are 32-bit). A string operand of arithmetic is read as
 * gopher-lua reads it (Go's ParseInt with prefixes, then ParseFloat: "0b101" is 5, "012" is 10,
 * "inf" is +Inf, "5\r" is no number); the parser's numerals keep Lua's reading.
 */
function gopherNumbers(lobject: FengariObject, lparser: FengariParser): void {
  const str2num = lobject.luaO_str2num
  const parser = lparser.luaY_parser
  let parsing = 0
  lparser.luaY_parser = (...args) => {
    parsing += 1
    try {
      return parser(...args)
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
    const fengari = (nodeRequire?.('fengari') ?? require('fengari')) as typeof import('fengari')
    gopherNumbers(
      (nodeRequire?.('fengari/src/lobject.js') ?? require('fengari/src/lobject.js')) as FengariObject,
      (nodeRequire?.('fengari/src/lparser.js') ?? require('fengari/src/lparser.js')) as FengariParser,
    )
    return fengari
  } finally {
    if (previous === undefined) delete process.env.FENGARICONF
    else process.env.FENGARICONF = previous
  }
}

export const fengari = setUp()
