// Libraries only some configs use (JSON schema, JWT and signing, CEL, XML and RSS, YAML output, Go
// regular expressions), loaded the first time a config needs one: a gateway without them starts
// ~45 ms sooner and ~3.5 MB smaller per worker (README, Benchmarks, "Session 6").
//
// Each load is a literal `require('…')`, so esbuild still bundles the library into the runtime
// (CommonJS), as a module evaluated on that first call. Run from source (ESM, where `require` is
// not defined), Node's own require loads it (Node >= 22.12 requires ES modules such as jose synchronously).
import { createRequire } from 'node:module'
import { goNumberString } from './components/lua-numbers.ts'

type AddFormats = (ajv: unknown) => void

const nodeRequire: NodeJS.Require | undefined =
  typeof require === 'function' ? undefined : createRequire(import.meta.url)

/** The value `load` returns, computed on the first call only. */
export function onFirstUse<T>(load: () => T): () => T {
  let value: T | undefined
  return () => {
    value ??= load()
    return value
  }
}

export const ajvLibrary = onFirstUse(() => {
  const formats = (nodeRequire?.('ajv-formats') ?? require('ajv-formats')) as AddFormats & {
    default?: AddFormats
  }
  return {
    Ajv: ((nodeRequire?.('ajv') ?? require('ajv')) as typeof import('ajv')).Ajv,
    Ajv2019: (
      (nodeRequire?.('ajv/dist/2019.js') ?? require('ajv/dist/2019.js')) as typeof import('ajv/dist/2019.js')
    ).Ajv2019,
    Ajv2020: (
      (nodeRequire?.('ajv/dist/2020.js') ?? require('ajv/dist/2020.js')) as typeof import('ajv/dist/2020.js')
    ).Ajv2020,
    addFormats: formats.default ?? formats,
  }
})

export const joseLibrary = onFirstUse(
  () => (nodeRequire?.('jose') ?? require('jose')) as typeof import('jose'),
)

export const celLibrary = onFirstUse(
  () =>
    (nodeRequire?.('@marcbachmann/cel-js') ??
      require('@marcbachmann/cel-js')) as typeof import('@marcbachmann/cel-js'),
)

export const xmlLibrary = onFirstUse(
  () => (nodeRequire?.('fast-xml-parser') ?? require('fast-xml-parser')) as typeof import('fast-xml-parser'),
)

export const yamlLibrary = onFirstUse(
  () => (nodeRequire?.('yaml') ?? require('yaml')) as typeof import('yaml'),
)

export const re2jsLibrary = onFirstUse(
  () => (nodeRequire?.('re2js') ?? require('re2js')) as typeof import('re2js'),
)

/**
 * fengari (Lua 5.3 in JavaScript) set up to print numbers as gopher-lua (KrakenD's Lua) does:
 * integral floats without ".0" (LUA_COMPAT_FLOATSTRING, read from FENGARICONF when luaconf loads)
 * and Go's formatting of the rest (luaconf's lua_number2str, replaced before lobject copies it).
 */
export const fengariLibrary = onFirstUse(() => {
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
    floatLiterals(
      (nodeRequire?.('fengari/src/lobject.js') ?? require('fengari/src/lobject.js')) as FengariObject,
    )
    return fengari
  } finally {
    if (previous === undefined) delete process.env.FENGARICONF
    else process.env.FENGARICONF = previous
  }
})

interface FengariObject {
  luaO_str2num: (
    s: Uint8Array,
    o: { ttisinteger(): boolean; value: number; setfltvalue(n: number): void },
  ) => number
}

/**
 * gopher-lua has one number type (float64): numerals and strings converted to numbers become
 * floats here too, so arithmetic on them is float arithmetic (fengari's integers are 32-bit).
 */
function floatLiterals(lobject: FengariObject): void {
  const str2num = lobject.luaO_str2num
  lobject.luaO_str2num = (s, o) => {
    const size = str2num(s, o)
    if (size !== 0 && o.ttisinteger()) o.setfltvalue(o.value)
    return size
  }
}
