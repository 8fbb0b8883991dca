/**
 * The local target's release records (`<stateDir>/records/`). Pruning them also deletes what only
 * the pruned records named: release directories, runtimes no remaining release links to, and
 * node logs of SHAs no longer recorded. What a kept record or a running fleet names stays, so
 * `rollback --to` redeploys every recorded release from its own directory.
 */
import { readdir, readlink, rm } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { DirectoryRecords } from '../file-records.ts'
import { COLOURS } from '../types.ts'
import { releaseDirName } from './release-dir.ts'
import { type LocalPaths, readFleetRecord } from './state.ts'

const NODE_LOG = /^(?:blue|green)-([0-9a-f]{7})-\d+\.log$/

export class LocalRecords extends DirectoryRecords {
  readonly #paths: LocalPaths

  constructor(dir: string, paths: LocalPaths) {
    super(dir)
    this.#paths = paths
  }

  override async prune(keep: number): Promise<number> {
    const gone = await super.prune(keep)
    let unreadable = false
    // What is left after the prune names what stays (more than `keep` when rollback needs more).
    const records = await this.list(Number.POSITIVE_INFINITY, {
      unreadable: () => {
        unreadable = true
      },
    })
    // A record that cannot be read may name a release that must stay: nothing is deleted.
    if (unreadable) return gone
    const fleets = await Promise.all(COLOURS.map((colour) => readFleetRecord(this.#paths, colour)))
    const dirs = new Set<string>()
    const shas = new Set<string>()
    for (const record of records) {
      if (record.sha) shas.add(record.sha.slice(0, 7))
      if (record.sha && record.configDigest) dirs.add(releaseDirName(record.sha, record.configDigest))
    }
    for (const fleet of fleets) {
      if (!fleet) continue
      shas.add(fleet.sha.slice(0, 7))
      dirs.add(basename(fleet.releaseDir))
    }
    await pruneReleaseFiles(this.#paths, dirs, shas)
    return gone
  }
}

async function pruneReleaseFiles(paths: LocalPaths, dirs: Set<string>, shas: Set<string>): Promise<void> {
  const runtimes = new Set<string>()
  for (const name of await entries(paths.releases)) {
    const dir = join(paths.releases, name)
    if (!dirs.has(name)) {
      await rm(dir, { recursive: true, force: true })
      continue
    }
    const link = await readlink(join(dir, 'gateway.cjs')).catch(() => undefined)
    if (link) runtimes.add(basename(dirname(resolve(dir, link))))
  }
  for (const name of await entries(paths.runtimes)) {
    if (!runtimes.has(name)) await rm(join(paths.runtimes, name), { recursive: true, force: true })
  }
  for (const name of await entries(paths.logs)) {
    const sha7 = NODE_LOG.exec(name)?.[1]
    if (sha7 && !shas.has(sha7)) await rm(join(paths.logs, name), { force: true })
  }
}

async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return []
    throw error
  })
}
