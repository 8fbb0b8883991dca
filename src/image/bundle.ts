/**
 * The gateway runtime: src/gateway/main.ts bundled by esbuild with every dependency inlined, so an
 * image (or a local node) needs nothing but `node gateway.cjs`, plus `lazy/<name>.cjs` beside it:
 * each library only some configs use (src/gateway/lazy/), bundled on its own and required the
 * first time a config needs it. Left out of gateway.cjs, a node whose config does not use them
 * neither parses nor keeps their 1.3 MB of source (about 60 ms of start-up and 3.5 MB per worker).
 *
 * Built once per (gwdeploy version, esbuild version, runtime sources, lockfile) and cached at
 * `$GWDEPLOY_CACHE_DIR/runtime/<key>/gateway.cjs` (default `$XDG_CACHE_HOME/gwdeploy` or
 * `~/.cache/gwdeploy`). Safe when several processes build at once (write + atomic rename).
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { providerError } from '../core/errors.ts'
import { GATEWAY_FILE, LOADER_FILE, WARM_UP_FILE } from '../gateway/code-cache/names.ts'
import {
  componentChunkEntries,
  componentChunkEntryPoints,
  componentChunkIndex,
  componentChunks,
} from './component-chunks.ts'
import { runtimePatches } from './runtime-patches.ts'
import { bundledFiles, sharedModuleImports, sharedModuleRegistry } from './shared-modules.ts'

export interface RuntimeBundleOptions {
  /** Cache root; default $GWDEPLOY_CACHE_DIR, else $XDG_CACHE_HOME/gwdeploy, else ~/.cache/gwdeploy. */
  cacheDir?: string
  /** Entry module; default the gateway's main next to this module (src/ or dist/). */
  entry?: string
  /** Rebuild even when the cache has it. */
  force?: boolean
  env?: NodeJS.ProcessEnv
}

export interface RuntimeBundle {
  /** Absolute path of gateway.cjs. */
  path: string
  /** The directory holding it and its lazily loaded libraries. */
  dir: string
  /** Every file of the runtime, relative to `dir` (gateway.cjs first, then lazy/*.cjs, then the code cache's loader and warm-up). */
  files: string[]
  /** sha256 (hex) over every file's name and bytes. */
  sha256: string
  /** Cache key (gwdeploy version + sources). */
  key: string
  /** True when it came from the cache without running esbuild. */
  cached: boolean
}

const HERE = dirname(fileURLToPath(import.meta.url))
/** src/ or dist/: the tree the runtime's sources live in. */
const SOURCE_ROOT = join(HERE, '..')
const PACKAGE_ROOT = join(SOURCE_ROOT, '..')

/**
 * The runtime's file name. CommonJS, not an ES module: Node keeps an ES module's source text
 * around about three times over (~5 MB for this one) where a CommonJS file costs its size once.
 */
export const RUNTIME_FILE = GATEWAY_FILE

function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.GWDEPLOY_CACHE_DIR) return env.GWDEPLOY_CACHE_DIR
  const xdg = env.XDG_CACHE_HOME
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'gwdeploy')
}

function defaultRuntimeEntry(): string {
  for (const candidate of ['gateway/main.ts', 'gateway/main.js']) {
    const path = join(SOURCE_ROOT, candidate)
    if (existsSync(path)) return path
  }
  throw providerError(`the gateway runtime entry is missing (${join(SOURCE_ROOT, 'gateway/main.ts')})`, {
    hint: 'Reinstall gwdeploy; a development checkout needs src/gateway/main.ts.',
  })
}

let packageVersion: string | undefined
async function gwdeployVersion(): Promise<string> {
  if (packageVersion === undefined) {
    try {
      const pkg = JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
        version?: string
      }
      packageVersion = pkg.version ?? '0.0.0'
    } catch {
      packageVersion = '0.0.0'
    }
  }
  return packageVersion
}

function listSources(dir: string): string[] {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter(
      (entry) => entry.isFile() && /\.(m?[jt]s|json)$/.test(entry.name) && !entry.name.endsWith('.d.ts'),
    )
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
}

/**
 * The cache key: everything that can change the bundle's bytes. Hashing the whole source tree
 * (a few hundred KB) costs milliseconds and never misses an import the gateway adds later. Read
 * synchronously: nothing else runs meanwhile, and ~700 small reads take ~10 ms this way against
 * as many promise round trips (one of which a CI run once saw never settle, the release hung).
 */
async function runtimeBundleKey(entry: string): Promise<string> {
  const hash = createHash('sha256')
  hash.update(`gwdeploy ${await gwdeployVersion()}\n`)
  hash.update(`entry ${relative(SOURCE_ROOT, entry)}\n`)
  const roots = [SOURCE_ROOT]
  if (relative(SOURCE_ROOT, entry).startsWith('..')) roots.push(dirname(entry))
  for (const root of roots) {
    for (const file of listSources(root)) {
      hash.update(`${relative(SOURCE_ROOT, file)}\n`)
      hash.update(readFileSync(file))
    }
  }
  for (const lock of ['package-lock.json', 'node_modules/esbuild/package.json']) {
    const path = join(PACKAGE_ROOT, lock)
    if (existsSync(path)) hash.update(await readFile(path))
  }
  return hash.digest('hex').slice(0, 24)
}

/**
 * Lazy files whose library reads import.meta.url when it loads (@platformatic/kafka's
 * createRequire(import.meta.url)): given their own file's URL, as CommonJS has no import.meta,
 * and @platformatic/wasm-utils' bundler build (its WebAssembly inlined, not a file beside it).
 */
const READS_IMPORT_META = new Set(['lazy/pubsub-kafka'])
const IMPORT_META_URL = '__gwdeployImportMetaUrl'

/**
 * @platformatic/wasm-utils as its bundler build (the WebAssembly inlined), not the one reading
 * native.wasm beside itself; resolved from the importer, whatever directory the build runs in.
 */
function inlinedWasm(): import('esbuild').Plugin {
  return {
    name: 'inlined-wasm',
    setup(build) {
      build.onResolve({ filter: /^@platformatic\/wasm-utils$/ }, (args) =>
        build.resolve('@platformatic/wasm-utils/bundled', { resolveDir: args.resolveDir, kind: args.kind }),
      )
    },
  }
}

/** The lazily loaded library modules next to the runtime's entry (src/gateway/lazy/*.ts), components aside. */
async function lazyEntries(entry: string): Promise<Record<string, string>> {
  const dir = join(dirname(entry), 'lazy')
  if (!existsSync(dir)) return {}
  const names = (await readdir(dir))
    .filter((name) => /\.[jt]s$/.test(name) && !name.endsWith('.d.ts') && !COMPONENTS.test(name))
    .sort()
  return Object.fromEntries(names.map((name) => [`lazy/${name.replace(/\.[jt]s$/, '')}`, join(dir, name)]))
}

/** The bundle's files in a fixed order (gateway.cjs first) and their digest. */
async function describeBundle(dir: string): Promise<{ files: string[]; sha256: string }> {
  const lazy = existsSync(join(dir, 'lazy')) ? (await readdir(join(dir, 'lazy'))).sort() : []
  const codeCache = [LOADER_FILE, WARM_UP_FILE].filter((name) => existsSync(join(dir, name)))
  const files = [RUNTIME_FILE, ...lazy.map((name) => `lazy/${name}`), ...codeCache]
  const hash = createHash('sha256')
  for (const file of files) hash.update(`${file}\n`).update(await readFile(join(dir, file)))
  return { files, sha256: hash.digest('hex') }
}

/** lazy/components.ts: bundled apart, in chunks (component-chunks.ts) sharing gateway.cjs's modules (shared-modules.ts). */
const COMPONENTS = /^components\.[jt]s$/

type Esbuild = typeof import('esbuild')

/**
 * Options every output of the runtime is built with. `keepNames` (esbuild's: a function's or class's
 * `name` as written even where the bundle renames it) costs a `__name` call per function when the
 * file is evaluated: about 1,300 in gateway.cjs, ~4 ms of every start and ~1 MB per worker. So
 * gateway.cjs goes without, as no code in it reads its own functions' or classes' names (only
 * built-ins': Error, DOMException, typed arrays); the lazy files keep it: the CEL checks read
 * cel-js's class names (UnsignedInt), jose names its errors after their classes.
 */
function commonOptions(dir: string, plugins: import('esbuild').Plugin[], keepNames = true) {
  return {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    write: false,
    outdir: dir,
    outExtension: { '.js': '.cjs' },
    legalComments: 'none',
    logLevel: 'silent',
    // import.meta is only read where the runtime runs from source (ESM); the bundle has require.
    logOverride: { 'empty-import-meta': 'silent' },
    // Whitespace and comments out, identifiers kept (readable stack traces): a smaller source
    // without the comments' typographic characters, so V8 keeps it as one-byte text.
    minifySyntax: true,
    minifyWhitespace: true,
    keepNames,
    plugins: [...plugins, runtimePatches()],
    // undici's own builds define it: its experimental Milo parser (160 KB of inlined WebAssembly,
    // off unless asked for) then stays out; backends are read with llhttp, as Node's fetch does.
    define: { esbuildDetection: 'true' },
  } satisfies import('esbuild').BuildOptions
}

/**
 * gateway.cjs and lazy/*.cjs. The components file takes the modules gateway.cjs holds from it, so
 * gateway.cjs is built once to learn them, then with their registry.
 */
async function bundleRuntime(esbuild: Esbuild, entry: string, dir: string) {
  // components.ts from src/, components.js from dist/ (an installed gwdeploy)
  const components = ['components.ts', 'components.js']
    .map((name) => join(dirname(entry), 'lazy', name))
    .find((path) => existsSync(path))
  const used = new Map<string, string>()
  const extra: import('esbuild').OutputFile[] = []
  if (components !== undefined) {
    const probe = await esbuild.build({
      ...commonOptions(dir, [sharedModuleRegistry(used, PACKAGE_ROOT)], false),
      entryPoints: { gateway: entry },
      metafile: true,
    })
    const shared = bundledFiles(probe.metafile, join(dir, RUNTIME_FILE))
    const sharedImports = sharedModuleImports(shared, PACKAGE_ROOT, used)
    const whole = await esbuild.build({
      ...commonOptions(dir, [sharedImports]),
      entryPoints: { 'lazy/components': components },
      metafile: true,
    })
    const chunks = componentChunks(whole.metafile, components)
    const cut = await esbuild.build({
      ...commonOptions(dir, [componentChunkEntries(chunks, PACKAGE_ROOT), sharedImports]),
      entryPoints: componentChunkEntryPoints(chunks),
    })
    const index = await esbuild.build({
      ...commonOptions(dir, [componentChunkIndex(chunks, components, PACKAGE_ROOT), sharedImports]),
      entryPoints: { 'lazy/components': components },
    })
    extra.push(...cut.outputFiles, ...index.outputFiles)
  }
  const result = await esbuild.build({
    ...commonOptions(dir, [sharedModuleRegistry(used, PACKAGE_ROOT)], false),
    entryPoints: { gateway: entry },
  })
  const libraries = await lazyEntries(entry)
  const plain = Object.fromEntries(Object.entries(libraries).filter(([name]) => !READS_IMPORT_META.has(name)))
  if (Object.keys(plain).length > 0) {
    const lazy = await esbuild.build({ ...commonOptions(dir, []), entryPoints: plain })
    extra.push(...lazy.outputFiles)
  }
  const reading = Object.fromEntries(
    Object.entries(libraries).filter(([name]) => READS_IMPORT_META.has(name)),
  )
  if (Object.keys(reading).length > 0) {
    const options = commonOptions(dir, [inlinedWasm()])
    const lazy = await esbuild.build({
      ...options,
      entryPoints: reading,
      banner: { js: `var ${IMPORT_META_URL}=require("node:url").pathToFileURL(__filename).href;` },
      define: { ...options.define, 'import.meta.url': IMPORT_META_URL },
    })
    extra.push(...lazy.outputFiles)
  }
  const gateway = result.outputFiles.find((file) => file.path === join(dir, RUNTIME_FILE))
  if (gateway !== undefined)
    extra.push(...(await bundleCodeCacheFiles(esbuild, entry, dir, gateway.contents)))
  return { ...result, outputFiles: [...result.outputFiles, ...extra] }
}

/**
 * start.cjs and code-cache-warm.cjs (src/gateway/code-cache/, when the entry has them beside it):
 * the loader that runs gateway.cjs from V8's code cache and the warm-up that writes the cache, each
 * knowing the sha256 of the gateway.cjs built with it, which names its cache.
 */
async function bundleCodeCacheFiles(esbuild: Esbuild, entry: string, dir: string, gateway: Uint8Array) {
  const source = (name: string) =>
    [`${name}.ts`, `${name}.js`].map((file) => join(dirname(entry), 'code-cache', file)).find(existsSync)
  const start = source('start')
  const warm = source('warm')
  if (start === undefined || warm === undefined) return []
  const options = commonOptions(dir, [], false)
  const digest = createHash('sha256').update(gateway).digest('hex')
  const built = await esbuild.build({
    ...options,
    entryPoints: { [LOADER_FILE.replace(/\.cjs$/, '')]: start, [WARM_UP_FILE.replace(/\.cjs$/, '')]: warm },
    define: { ...options.define, GATEWAY_SHA256: JSON.stringify(digest) },
  })
  return built.outputFiles
}

export async function buildRuntimeBundle(options: RuntimeBundleOptions = {}): Promise<RuntimeBundle> {
  const env = options.env ?? process.env
  const entry = options.entry ?? defaultRuntimeEntry()
  const key = await runtimeBundleKey(entry)
  const dir = join(options.cacheDir ?? defaultCacheDir(env), 'runtime', key)
  const path = join(dir, RUNTIME_FILE)
  if (!options.force && existsSync(path))
    return { path, dir, ...(await describeBundle(dir)), key, cached: true }

  let esbuild: typeof import('esbuild')
  try {
    esbuild = await import('esbuild')
  } catch (error) {
    throw providerError('cannot bundle the gateway runtime: esbuild is not installed', {
      cause: error,
      hint: 'Install gwdeploy with its dependencies (npm ci), or build on a machine that has esbuild.',
    })
  }
  let result: import('esbuild').BuildResult<{ write: false }>
  try {
    result = await bundleRuntime(esbuild, entry, dir)
  } catch (error) {
    const failure = error as {
      errors?: Array<{ text: string; location?: { file: string; line: number } | null }>
    }
    const problems = (failure.errors ?? []).map((e) => ({
      message: e.text,
      ...(e.location ? { location: { file: e.location.file, line: e.location.line } } : {}),
    }))
    throw providerError(`bundling the gateway runtime (${relative(PACKAGE_ROOT, entry)}) failed`, {
      cause: error,
      problems,
      hint: 'This is a problem in the gateway sources or their dependencies, not in your configuration.',
    })
  }
  if (!result.outputFiles.some((file) => file.path === path))
    throw providerError('esbuild produced no output for the gateway runtime')
  // Written beside the final directory and renamed into place: a runtime is there whole or not at all.
  const tmp = `${dir}.${process.pid}.${Date.now()}.tmp`
  try {
    for (const file of result.outputFiles) {
      const target = join(tmp, relative(dir, file.path))
      await mkdir(dirname(target), { recursive: true })
      await writeFile(target, file.contents)
    }
    // A directory without gateway.cjs was left half-written by an interrupted build.
    if (existsSync(dir) && !existsSync(path)) await rm(dir, { recursive: true, force: true })
    await rename(tmp, dir)
  } catch (error) {
    // Another process renamed the same runtime into place first: use it.
    if (!existsSync(path)) throw error
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
  return { path, dir, ...(await describeBundle(dir)), key, cached: false }
}
