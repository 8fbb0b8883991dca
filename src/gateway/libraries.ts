// Libraries only some configs use (JSON schema, JWT and signing, CEL, XML and RSS, YAML output, Go
// regular expressions, Lua, token revocation, Prometheus metrics), loaded the first time a config needs one: a gateway without them
// starts sooner and smaller per worker (README, Benchmarks).
//
// Each library group is a module of src/gateway/lazy/. The image and local runtime carry it as
// lazy/<name>.cjs beside gateway.cjs (src/image/bundle.ts bundles each on its own), so gateway.cjs
// holds none of their code: a node whose config does not use them never parses their source.
// Run from source (ESM, where `require` is not defined), Node's own require loads the module.
import { createRequire } from 'node:module'
import { join } from 'node:path'

const nodeRequire: NodeJS.Require | undefined =
  typeof require === 'function' ? undefined : createRequire(import.meta.url)

/** Run from source the modules are .ts files; compiled (dist/, the CLI's own copy) .js files. */
const SOURCE_EXTENSION = nodeRequire && import.meta.url.endsWith('.ts') ? '.ts' : '.js'

/** lazy/<name> beside this module (src/ or dist/), lazy/<name>.cjs beside the bundled runtime. */
function loadLazy<T>(name: string): T {
  if (nodeRequire) return nodeRequire(`./lazy/${name}${SOURCE_EXTENSION}`) as T
  // A computed path: esbuild leaves this require to Node instead of bundling the module.
  const file = join(__dirname, 'lazy', `${name}.cjs`)
  return require(file) as T
}

/**
 * A Node built-in module, required where it is first needed: an import would load it when the
 * runtime starts. node:http2 brings tls and crypto with it, about 5 MB of every worker's RSS that a
 * fleet behind an HTTP/1.1 balancer never uses.
 */
export function loadBuiltin<T>(name: string): T {
  return (nodeRequire ?? require)(name) as T
}

/** The value `load` returns, computed on the first call only. */
export function onFirstUse<T>(load: () => T): () => T {
  let value: T | undefined
  return () => {
    value ??= load()
    return value
  }
}

export const ajvLibrary = onFirstUse(() => loadLazy<typeof import('./lazy/ajv.ts')>('ajv'))
export const joseLibrary = onFirstUse(() => loadLazy<typeof import('./lazy/jose.ts')>('jose'))
export const celLibrary = onFirstUse(() => loadLazy<typeof import('./lazy/cel.ts')>('cel'))
export const xmlLibrary = onFirstUse(() => loadLazy<typeof import('./lazy/xml.ts')>('xml'))
export const yamlLibrary = onFirstUse(() => loadLazy<typeof import('./lazy/yaml.ts')>('yaml'))
export const re2jsLibrary = onFirstUse(() => loadLazy<typeof import('./lazy/re2js.ts')>('re2js'))
export const revokerLibrary = onFirstUse(() => loadLazy<typeof import('./lazy/revoker.ts')>('revoker'))
export const metricsLibrary = onFirstUse(() => loadLazy<typeof import('./lazy/metrics.ts')>('metrics'))
export const amqpLibrary = onFirstUse(() => loadLazy<typeof import('./lazy/amqp.ts')>('amqp'))
export const lambdaLibrary = onFirstUse(() => loadLazy<typeof import('./lazy/lambda.ts')>('lambda'))
export const pubsubNatsLibrary = onFirstUse(() =>
  loadLazy<typeof import('./lazy/pubsub-nats.ts')>('pubsub-nats'),
)
export const pubsubRabbitLibrary = onFirstUse(() =>
  loadLazy<typeof import('./lazy/pubsub-rabbit.ts')>('pubsub-rabbit'),
)
export const pubsubAwsLibrary = onFirstUse(() =>
  loadLazy<typeof import('./lazy/pubsub-aws.ts')>('pubsub-aws'),
)
export const pubsubKafkaLibrary = onFirstUse(() =>
  loadLazy<typeof import('./lazy/pubsub-kafka.ts')>('pubsub-kafka'),
)
export const fengariLibrary = onFirstUse(
  () => loadLazy<typeof import('./lazy/fengari.ts')>('fengari').fengari,
)

export const http2Module = onFirstUse(() => loadBuiltin<typeof import('node:http2')>('node:http2'))
export const cryptoModule = onFirstUse(() => loadBuiltin<typeof import('node:crypto')>('node:crypto'))
/** Loaded with the first gzip answer from a backend: node:zlib and its binding are ~0.3 MB of every idle worker. */
export const zlibModule = onFirstUse(() => loadBuiltin<typeof import('node:zlib')>('node:zlib'))
