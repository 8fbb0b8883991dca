// Libraries only some configs use (JSON schema, JWT and signing, CEL, XML and RSS, YAML output, Go
// regular expressions), loaded the first time a config needs one: a gateway without them starts
// ~45 ms sooner and ~3.5 MB smaller per worker (README, Benchmarks, "Session 6").
//
// Each load is a literal `require('…')`, so esbuild still bundles the library into the runtime
// (CommonJS), as a module evaluated on that first call. Run from source (ESM, where `require` is
// not defined), Node's own require loads it (Node >= 22.12 requires ES modules such as jose synchronously).
import { createRequire } from 'node:module'

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
