/**
 * The components only some configs use, evaluated the first time a config names one (its namespace
 * is parsed at load, so a bad config still exits 2 before serving), not when every worker starts.
 * The runtime carries them as lazy/components.cjs beside gateway.cjs (src/image/bundle.ts), so a
 * node whose config uses none neither compiles nor runs their code; run from source, Node's own
 * require loads each module. Only types may be imported from them elsewhere on the start path: a
 * value import would bring them back into gateway.cjs (test/gateway/primary-modules.test.ts).
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { onFirstUse } from '../libraries.ts'

type Components = typeof import('../lazy/components.ts')

const nodeRequire: NodeJS.Require | undefined =
  typeof require === 'function' ? undefined : createRequire(import.meta.url)
/** Run from source the modules are .ts files; compiled (dist/) .js files. */
const SOURCE_EXTENSION = nodeRequire && import.meta.url.endsWith('.ts') ? '.ts' : '.js'

/** Where lazy/components.cjs finds the modules of gateway.cjs it uses (see src/image/bundle.ts). */
const SHARED_MODULES = Symbol.for('gwdeploy.runtime.sharedModules')

const bundledComponents = onFirstUse((): Components => {
  const global = globalThis as Record<symbol, unknown>
  // Resolved by src/image/bundle.ts: the modules of gateway.cjs that lazy/components.cjs imports.
  global[SHARED_MODULES] ??= require('gwdeploy:shared-modules')
  // A computed path: esbuild leaves this require to Node.
  return require(join(__dirname, 'lazy', 'components.cjs')) as Components
})

/** The module `file` (relative to this one), as `key` of lazy/components.ts gives it in the bundle. */
function component<K extends keyof Components>(file: string, key: K): Components[K] {
  type Module = ReturnType<Components[K]>
  return onFirstUse(() =>
    nodeRequire
      ? (nodeRequire(`./${file}${SOURCE_EXTENSION}`) as Module)
      : (bundledComponents()[key]() as Module),
  ) as Components[K]
}

export const celComponent = component('cel', 'cel')
export const httpCacheStore = component('http-cache-store', 'httpCacheStore')
export const backendCacheHops = component('../backend-cache-hops', 'backendCacheHops')
export const clientCredentialsComponent = component('client-credentials', 'clientCredentials')
export const jsonSchemaComponent = component('json-schema', 'jsonSchema')
export const jwtComponent = component('jwt', 'jwt')
export const luaComponent = component('lua', 'lua')
export const luaRouterRuntime = component('lua-router', 'luaRouter')
export const martianComponent = component('martian', 'martian')
export const martianRuntime = component('martian-run', 'martianRun')
export const revokerComponent = component('revoker', 'revoker')
export const signerComponent = component('signer', 'signer')
// The backend encodings and output encodings only some configs use (transform.ts, output-render.ts).
export const xmlDecoding = component('../xml-encoding', 'xmlEncoding')
export const feedDecoding = component('../rss-encoding', 'rssEncoding')
export const xmlWriting = component('../xml-writer', 'xmlWriter')
export const yamlWriting = component('../yaml-encoding', 'yamlEncoding')
