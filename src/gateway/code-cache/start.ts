/**
 * The runtime's entry in images and local nodes (bundled as start.cjs beside gateway.cjs): runs
 * gateway.cjs through `vm.Script` with V8's code cache of it (code-cache/, written by warm.ts after a
 * node of a synthetic config answered its first health check). Node's own compile cache only holds
 * what V8 compiles before a file runs; this one also holds every function a start calls (config
 * validation, the request path's modules, the server), which a start would otherwise compile lazily.
 *
 * Without a cache for this gateway.cjs, V8 and architecture, or with NODE_DISABLE_COMPILE_CACHE set
 * (Node's own switch for its compile cache turns both off), gateway.cjs is required as Node would. A cache V8 rejects (other V8 flags, another source length, not
 * a cache) costs a normal compile of gateway.cjs and changes nothing else. gateway.cjs runs with the
 * same arguments as under Node's loader: exports, require, module, __filename, __dirname.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import { join } from 'node:path'
import { Script } from 'node:vm'
import { CODE_CACHE_OUT_ENV, codeCacheFile, debugging, GATEWAY_FILE } from './names.ts'

/** sha256 (hex) of the gateway.cjs built with this file (the bundler's define). */
declare const GATEWAY_SHA256: string

const gateway = join(__dirname, GATEWAY_FILE)
const out = process.env[CODE_CACHE_OUT_ENV]
delete process.env[CODE_CACHE_OUT_ENV]
const cacheFile = codeCacheFile(__dirname, GATEWAY_SHA256)
let cachedData: Buffer | undefined
if (out === undefined && !process.env.NODE_DISABLE_COMPILE_CACHE) {
  try {
    cachedData = readFileSync(cacheFile)
  } catch {}
}

if (out === undefined && cachedData === undefined) {
  if (debugging(process.env)) process.stderr.write(`gwdeploy code cache ${cacheFile}: none\n`)
  require(gateway)
} else {
  // Node's CommonJS wrapper, on a line of its own so that gateway.cjs's lines and columns stay its own.
  const source = `(function (exports, require, module, __filename, __dirname) {\n${readFileSync(gateway, 'utf8')}\n})`
  const script = new Script(source, {
    filename: gateway,
    lineOffset: -1,
    ...(cachedData === undefined ? {} : { cachedData }),
  })
  cachedData = undefined
  if (debugging(process.env))
    process.stderr.write(
      `gwdeploy code cache ${cacheFile}: ${out !== undefined ? `writing ${out}` : script.cachedDataRejected ? 'rejected' : 'accepted'}\n`,
    )
  // At exit, what the start compiled is in it; a cache that cannot be written is no cache (warm.ts checks).
  if (out !== undefined)
    process.once('exit', () => {
      try {
        writeFileSync(out, script.createCachedData())
      } catch {}
    })
  const gatewayModule = new Module(gateway, module)
  gatewayModule.filename = gateway
  gatewayModule.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
    __dirname,
  )
  const gatewayRequire = createRequire(gateway)
  gatewayRequire.cache[gateway] = gatewayModule
  const run = script.runInThisContext() as (...args: unknown[]) => void
  run.call(gatewayModule.exports, gatewayModule.exports, gatewayRequire, gatewayModule, gateway, __dirname)
  gatewayModule.loaded = true
}
