// Libraries only some configs use (JSON schema, JWT and signing, CEL, XML and RSS, YAML output),
// loaded the first time a config needs one: a gateway without them starts ~50 ms sooner and ~7 MB
// smaller per worker (bench/gateway, README "Benchmarks").
//
// Each load is a literal `require('…')`, so esbuild still bundles the library into the runtime
// (CommonJS), as a module evaluated on that first call. Run from source (ESM, where `require` is
// not defined), Node's own require loads it (Node >= 22.12 requires ES modules such as jose synchronously).
import { createRequire } from 'node:module'

type Ajv = typeof import('ajv')
type Jose = typeof import('jose')

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
  const formats = (nodeRequire?.('ajv-formats') ?? require('ajv-formats')) as {
    default?: (ajv: unknown) => void
  }
  return {
    Ajv: ((nodeRequire?.('ajv') ?? require('ajv')) as Ajv).Ajv,
    Ajv2019: (
      (nodeRequire?.('ajv/dist/2019.js') ?? require('ajv/dist/2019.js')) as typeof import('ajv/dist/2019.js')
    ).Ajv2019,
    Ajv2020: (
      (nodeRequire?.('ajv/dist/2020.js') ?? require('ajv/dist/2020.js')) as typeof import('ajv/dist/2020.js')
    ).Ajv2020,
    addFormats: (formats.default ?? (formats as unknown as (ajv: unknown) => void)) as (ajv: unknown) => void,
  }
})

export const joseLibrary = onFirstUse(() => (nodeRequire?.('jose') ?? require('jose')) as Jose)

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
