/**
 * A release's directory under the state dir (the local "image"): the stamped config and the files
 * it reads, and for a bundled runtime a link to that runtime's copy under `runtimes/<hash>/` (one
 * copy per runtime, shared by every release that runs it, so a release costs its config's size).
 * Every file and link is renamed into place, so a re-run after a kill finds each one whole or not
 * at all; a directory staged by an older gwdeploy (a whole copy of the bundle) is used as it is.
 */
import { createHash } from 'node:crypto'
import { copyFile, mkdir, readdir, readFile, realpath, rename, rm, stat, symlink } from 'node:fs/promises'
import { basename, dirname, join, relative } from 'node:path'
import { LOADER_FILE, WARM_UP_FILE } from '../../gateway/code-cache/names.ts'
import { writeTextAtomic } from '../json-file.ts'
import type { Artifact } from '../types.ts'
import { warmCodeCache, warmCompileCache } from './compile-cache.ts'
import type { LocalPaths } from './state.ts'

export interface StagedRelease {
  releaseDir: string
  configFile: string
  /** The runtime's entry the nodes run: for a bundled runtime a link in releaseDir, to its start.cjs when it has one. */
  entry: string
  /** V8's compile cache of a bundled runtime, filled when it was stored (NODE_COMPILE_CACHE for its nodes). */
  compileCache?: string
}

/** `<sha7>-<digest12>`: one directory per SHA and stamped config. */
export const releaseDirName = (sha: string, configDigest: string) =>
  `${sha.slice(0, 7)}-${configDigest.replace(/^sha256:/, '').slice(0, 12)}`

export async function stageRelease(
  paths: LocalPaths,
  artifact: Artifact,
  runtime: NonNullable<Artifact['runtime']>,
): Promise<StagedRelease> {
  const releaseDir = join(paths.releases, releaseDirName(artifact.sha, artifact.configDigest))
  await mkdir(releaseDir, { recursive: true, mode: 0o700 })
  const configFile = join(releaseDir, 'gateway.json')
  // The config's files first (nodes run in releaseDir, where it reads them): a written config means all are there.
  for (const file of artifact.files ?? []) {
    const path = join(releaseDir, file.path)
    await mkdir(dirname(path), { recursive: true, mode: 0o700 })
    if (!(await exists(path))) await writeTextAtomic(path, file.content)
  }
  if (!(await exists(configFile))) await writeTextAtomic(configFile, artifact.configText)
  if (!runtime.bundled) return { releaseDir, configFile, entry: runtime.entry }
  // A release keeps the runtime it was staged with: a redeploy of it runs that one again.
  const link = join(releaseDir, basename(runtime.entry))
  if (!(await exists(link))) {
    const stored = await storeRuntime(paths, runtime.entry)
    await rm(`${link}.tmp`, { force: true })
    await symlink(relative(releaseDir, stored), `${link}.tmp`)
    await rename(`${link}.tmp`, link)
  }
  // Filled once per runtime (and Node version); a release staged before there was a cache fills it now.
  const stored = await realpath(link)
  const compileCache = await warmCompileCache(dirname(stored), stored, await lazyFiles(stored))
  const entry = (await linkLoader(releaseDir, dirname(stored))) ?? link
  if (entry !== link) await warmCodeCache(dirname(stored), compileCache)
  return { releaseDir, configFile, entry, ...(compileCache ? { compileCache } : {}) }
}

/** releaseDir's link to the stored runtime's start.cjs (runtimes stored by an older gwdeploy have none). */
async function linkLoader(releaseDir: string, runtimeDir: string): Promise<string | undefined> {
  const loader = join(runtimeDir, LOADER_FILE)
  if (!(await exists(loader))) return undefined
  const link = join(releaseDir, LOADER_FILE)
  if (!(await exists(link))) {
    await rm(`${link}.tmp`, { force: true })
    await symlink(relative(releaseDir, loader), `${link}.tmp`)
    await rename(`${link}.tmp`, link)
  }
  return link
}

async function lazyFiles(entry: string): Promise<string[]> {
  const lazy = join(dirname(entry), 'lazy')
  return (await exists(lazy)) ? (await readdir(lazy)).sort().map((name) => join(lazy, name)) : []
}

/**
 * The bundle, its lazily loaded libraries and its code cache's loader and warm-up copied once under
 * `runtimes/<content hash>/` (Node runs a linked entry from its real path, so the bundle finds
 * `lazy/` beside it).
 */
async function storeRuntime(paths: LocalPaths, entry: string): Promise<string> {
  const lazy = join(dirname(entry), 'lazy')
  const lazyNames = (await exists(lazy)) ? (await readdir(lazy)).sort() : []
  const besides: string[] = []
  for (const name of [LOADER_FILE, WARM_UP_FILE])
    if (await exists(join(dirname(entry), name))) besides.push(join(dirname(entry), name))
  const hash = createHash('sha256')
  for (const file of [entry, ...lazyNames.map((name) => join(lazy, name)), ...besides]) {
    hash.update(`${basename(file)}\0`).update(await readFile(file))
  }
  const dir = join(paths.runtimes, hash.digest('hex').slice(0, 24))
  const stored = join(dir, basename(entry))
  // The other files first: a copied bundle means its runtime is complete.
  await mkdir(join(dir, 'lazy'), { recursive: true, mode: 0o700 })
  for (const name of lazyNames) await copyOnce(join(lazy, name), join(dir, 'lazy', name))
  for (const file of besides) await copyOnce(file, join(dir, basename(file)))
  await copyOnce(entry, stored)
  return stored
}

/** Copies a file unless it is there already, renamed into place so it is never seen half-written. */
async function copyOnce(from: string, to: string): Promise<void> {
  if (await exists(to)) return
  await copyFile(from, `${to}.tmp`)
  await rename(`${to}.tmp`, to)
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file)
    return true
  } catch {
    return false
  }
}
