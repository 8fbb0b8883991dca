/**
 * A release's directory under the state dir (the local "image"): the stamped config, the files
 * it reads, and for a bundled runtime a copy of the bundle. Every file is renamed into place, so
 * a re-run after a kill finds each one whole or not at all.
 */
import { copyFile, mkdir, readdir, rename, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { writeTextAtomic } from '../json-file.ts'
import type { Artifact } from '../types.ts'
import type { LocalPaths } from './state.ts'

export interface StagedRelease {
  releaseDir: string
  configFile: string
  /** The runtime's entry the nodes run: the copy in releaseDir when it is bundled. */
  entry: string
}

export async function stageRelease(
  paths: LocalPaths,
  artifact: Artifact,
  runtime: NonNullable<Artifact['runtime']>,
): Promise<StagedRelease> {
  const releaseDir = join(
    paths.releases,
    `${artifact.sha7}-${artifact.configDigest.replace(/^sha256:/, '').slice(0, 12)}`,
  )
  await mkdir(releaseDir, { recursive: true, mode: 0o700 })
  const configFile = join(releaseDir, 'gateway.json')
  // The config's files first (nodes run in releaseDir, where it reads them): a written config means all are there.
  for (const file of artifact.files ?? []) {
    const path = join(releaseDir, file.path)
    await mkdir(dirname(path), { recursive: true, mode: 0o700 })
    if (!(await exists(path))) await writeTextAtomic(path, file.content)
  }
  if (!(await exists(configFile))) await writeTextAtomic(configFile, artifact.configText)
  let entry = runtime.entry
  if (runtime.bundled) {
    // The lazily loaded libraries first: a copied gateway.cjs means its runtime is complete.
    const lazy = join(dirname(entry), 'lazy')
    if (await exists(lazy)) {
      await mkdir(join(releaseDir, 'lazy'), { recursive: true })
      for (const name of await readdir(lazy)) await copyOnce(join(lazy, name), join(releaseDir, 'lazy', name))
    }
    const copy = join(releaseDir, basename(entry))
    await copyOnce(entry, copy)
    entry = copy
  }
  return { releaseDir, configFile, entry }
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
