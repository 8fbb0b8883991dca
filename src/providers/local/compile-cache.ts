/**
 * V8's compile cache of a stored runtime (NODE_COMPILE_CACHE) under `runtimes/<hash>/compile-cache/`:
 * filled once per Node version when the runtime is stored, by running the bundle's `--version` and
 * requiring its lazily loaded libraries, so every node of it starts from compiled code, as images do.
 * Then its code cache (`code-cache/`, read by the nodes' entry start.cjs: src/gateway/code-cache/),
 * written by the runtime's own warm-up, a node of a synthetic config stopped after its first health
 * check, so that the functions a start calls are compiled already too.
 *
 * Node keeps one subdirectory per Node version, architecture, V8 flags and uid in there, and checks
 * each entry's source hash, header and V8's own version/flags tag before using it: a cache another Node
 * wrote is not read, and a corrupt or rejected entry is compiled again. A cache that cannot be filled
 * (read-only state directory, a failing run) leaves the nodes compiling as before.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { WARM_UP_FILE } from '../../gateway/code-cache/names.ts'
import { nodeEnv } from './processes.ts'

const run = promisify(execFile)
const WARM_TIMEOUT_MS = 60_000

/** The cache directory of the runtime stored in `runtimeDir`. */
export const compileCacheDir = (runtimeDir: string) => join(runtimeDir, 'compile-cache')

/** Node's subdirectory for this Node and user: `v<version>-<arch>-<V8 flags tag>-<uid>`. */
function ownSubdir(name: string): boolean {
  return (
    name.startsWith(`v${process.versions.node}-${process.arch}-`) &&
    name.endsWith(`-${process.getuid?.() ?? 0}`)
  )
}

/**
 * Fills the runtime's compile cache for this Node unless it is there; the cache dir to give the
 * nodes, or undefined when there is none. Written in a temporary directory and Node's subdirectory
 * renamed into place: a run killed half-way leaves no partial cache taken as whole.
 */
export async function warmCompileCache(
  runtimeDir: string,
  entry: string,
  lazyFiles: string[],
): Promise<string | undefined> {
  const cacheDir = compileCacheDir(runtimeDir)
  if ((await entries(cacheDir)).some(ownSubdir)) return cacheDir
  let staging: string | undefined
  try {
    staging = await mkdtemp(join(runtimeDir, 'compile-cache.tmp-'))
    const env = { ...nodeEnv(), NODE_COMPILE_CACHE: staging }
    const options = { env, cwd: runtimeDir, timeout: WARM_TIMEOUT_MS }
    await run(process.execPath, [entry, '--version'], options)
    if (lazyFiles.length > 0)
      await run(
        process.execPath,
        ['-e', 'for (const file of JSON.parse(process.argv[1])) require(file)', JSON.stringify(lazyFiles)],
        options,
      )
    const written = (await entries(staging)).filter(ownSubdir)
    if (written.length === 0) return undefined
    await mkdir(cacheDir, { recursive: true, mode: 0o700 })
    // Other Nodes' subdirectories stay; one another run filled meanwhile is kept as it is.
    for (const name of written) await rename(join(staging, name), join(cacheDir, name)).catch(() => {})
    return (await entries(cacheDir)).some(ownSubdir) ? cacheDir : undefined
  } catch {
    return (await entries(cacheDir)).some(ownSubdir) ? cacheDir : undefined
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true }).catch(() => {})
  }
}

/**
 * Writes the code cache of the runtime stored in `runtimeDir` unless it is there (its warm-up checks,
 * and exits at once then). False when it could not be written: its nodes then start from the
 * compile cache alone, as before; the warm-up's reason is not a release's concern.
 */
export async function warmCodeCache(runtimeDir: string, compileCache: string | undefined): Promise<boolean> {
  const env = { ...nodeEnv(), ...(compileCache ? { NODE_COMPILE_CACHE: compileCache } : {}) }
  try {
    await run(process.execPath, [join(runtimeDir, WARM_UP_FILE)], {
      env,
      cwd: runtimeDir,
      timeout: WARM_TIMEOUT_MS,
    })
    return true
  } catch {
    return false
  }
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch {
    return []
  }
}
