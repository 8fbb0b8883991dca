/**
 * Release records as files in a directory on the target's side (the local provider's state dir,
 * the HAProxy state dir): one JSON file per record, written atomically, named so that names sort
 * by time. Shared by the providers whose target is a directory.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { recordsToPrune } from '../core/record-prune.ts'
import { writeJsonAtomic } from './json-file.ts'
import { parseRecord } from './record-shape.ts'
import type { RecordListOptions, ReleaseRecord, ReleaseRecords } from './types.ts'

/** `2026-12-01T153700123Z-release-abc1234-9f3e.json`: sortable, unique, safe on every filesystem. */
export function recordFileName(record: ReleaseRecord): string {
  const time = record.time.replace(/[:.]/g, '')
  const sha7 = record.sha?.slice(0, 7) ?? 'none'
  return `${time}-${record.operation}-${sha7}-${randomBytes(2).toString('hex')}.json`
}

export class DirectoryRecords implements ReleaseRecords {
  readonly where: string
  readonly #dir: string

  constructor(dir: string) {
    this.#dir = dir
    this.where = dir
  }

  async append(record: ReleaseRecord): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 })
    await writeJsonAtomic(join(this.#dir, recordFileName(record)), record)
  }

  /** Record file names, newest first. */
  async #names(): Promise<string[]> {
    try {
      return (await readdir(this.#dir))
        .filter((n) => n.endsWith('.json'))
        .sort()
        .reverse()
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
  }

  /** Deletes what `records.keep` lets go (record-prune.ts); returns how many went. */
  async prune(keep: number): Promise<number> {
    const names = await this.#names()
    if (names.length <= keep) return 0
    const records = await Promise.all(
      names.map((name) =>
        readFile(join(this.#dir, name), 'utf8')
          .then((text) => parseRecord(text))
          .catch(() => undefined),
      ),
    )
    const doomed = recordsToPrune(records, keep)
    const old = names.filter((_, i) => doomed[i])
    for (const name of old) await rm(join(this.#dir, name), { force: true })
    return old.length
  }

  async list(limit: number, options: RecordListOptions = {}): Promise<ReleaseRecord[]> {
    const newest = (await this.#names()).slice(0, limit)
    const records: ReleaseRecord[] = []
    for (const name of newest) {
      const file = join(this.#dir, name)
      try {
        records.push(parseRecord(await readFile(file, 'utf8')))
      } catch (error) {
        // Written atomically, so a torn one was damaged (a full disk, by hand): the others still
        // list, and the reader is told which one is missing.
        options.unreadable?.(file, (error as Error).message)
      }
    }
    return records
  }
}
