/**
 * Where the runtime's V8 code cache lives and how its files are named (start.ts reads it,
 * warm.ts writes it, the image and the local provider run warm.ts).
 */
import { join } from 'node:path'

/** The bundled runtime (src/image/bundle.ts). */
export const GATEWAY_FILE = 'gateway.cjs'
/** The runtime's entry in images and local nodes: runs gateway.cjs from the code cache when it can. */
export const LOADER_FILE = 'start.cjs'
/** Writes the code cache: `node code-cache-warm.cjs` in the runtime's directory. */
export const WARM_UP_FILE = 'code-cache-warm.cjs'
/** The code cache's directory, beside gateway.cjs. */
export const CODE_CACHE_DIR = 'code-cache'
/** Set by the warm-up only: the loader compiles without a cache and writes one there when the process exits. */
export const CODE_CACHE_OUT_ENV = 'GWDEPLOY_CODE_CACHE_OUT'

/**
 * The cache of the gateway.cjs whose sha256 is `digest`, for this V8 and CPU architecture. V8 itself
 * checks its version, its flags and the source's length before using a cache; the digest in the
 * name ties the cache to one build of gateway.cjs, which V8 does not check.
 */
export const codeCacheFile = (runtimeDir: string, digest: string): string =>
  join(runtimeDir, CODE_CACHE_DIR, `${digest.slice(0, 32)}-v8-${process.versions.v8}-${process.arch}.bin`)

/** True when NODE_DEBUG names gwdeploy (as Node's own debug logs are asked for). */
export const debugging = (env: NodeJS.ProcessEnv): boolean => /\bgwdeploy\b/i.test(env.NODE_DEBUG ?? '')
