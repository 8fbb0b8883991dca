/** Release records kept where the target lives (see types.ts for the provider contract). */
import type { HistoryEntry } from '../core/history.ts'
import type { CallOptions } from './types.ts'

/**
 * One release record as kept on the target: the audit entry (SHA, version, config name and
 * digest, image by digest, who, when, outcome) plus, for releases, the stamped config itself,
 * so `history`, `rollback --to` and `status` work from any machine.
 */
export interface ReleaseRecord extends HistoryEntry {
  /** The stamped gateway config (omitted where the store cannot hold it; images carry it too). */
  configText?: string | undefined
}

/** Release records stored where the target lives (state dir, ConfigMaps, SSM parameters). */
export interface RecordListOptions extends CallOptions {
  unreadable?: (where: string, reason: string) => void
}

export interface ReleaseRecords {
  /** Where the records live, for messages (`ConfigMaps in namespace x`, a directory...). */
  readonly where: string
  append(record: ReleaseRecord, options?: CallOptions): Promise<void>
  /**
   * The newest `limit` records, newest first. One that cannot be read (torn, edited by hand) is
   * left out and named through `unreadable` (a file, ConfigMap or parameter name, and why).
   */
  list(limit: number, options?: RecordListOptions): Promise<ReleaseRecord[]>
  /** Deletes all but the newest `keep` records; returns how many went. */
  prune(keep: number, options?: CallOptions): Promise<number>
}
