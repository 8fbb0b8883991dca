/**
 * Release records: kept on the target by the provider (the source of truth, readable from any
 * machine) and mirrored into the local cache (<stateDir>/history.jsonl, artifacts/), which is
 * only a convenience. History, `rollback --to` and `status` read the target.
 */
import { type Artifact, COLOURS, type ReleaseRecord, type TargetState } from '../providers/types.ts'
import { loadArtifact, readdirSafe } from './artifacts.ts'
import { GwError, isGwError } from './errors.ts'
import { ExitCode } from './exit-codes.ts'
import { appendHistory, readHistory } from './history.ts'
import type { Target } from './target.ts'

const RECORDS_UNLISTED = 'records_unlisted'

/**
 * How far back every reader that decides from the records looks: `status`, `rollback`, `retire`,
 * `destroy` and the release engine (a SHA's release, the release line, an unfinished retire or
 * destroy). One window, so what `status` reports is what the commands see and do.
 */
export const LOOKBACK = 500
/**
 * How far back a run looks for a record written since a moment it knows (the report of the run a
 * takeover stopped, the record of who broke its lock): only the few written since then. Nothing
 * `status` reports is decided from it.
 */
export const RECENT = 20
/**
 * Writes the record to the target and the local cache; a failure is reported through `warn`.
 * Returns why the target did not take it (undefined when it did, or keeps no records).
 */
export async function writeRecord(
  target: Pick<Target, 'provider' | 'stateDir' | 'config'>,
  record: ReleaseRecord,
  warn: (message: string) => void,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const { configText, ...entry } = record
  const store = target.provider.records?.()
  const [unwritten] = await Promise.all([
    // The record says what was done to the target, so the first Ctrl-C does not cut it short
    // (bounded by the store's own deadline; a second Ctrl-C exits at once). Pruning old ones
    // stops at the interrupt: those left go next time.
    store?.append(record).then(
      async () => {
        await store.prune(target.config.records.keep, signal ? { signal } : {}).catch((error: Error) => {
          if (signal?.aborted) return
          warn(`could not delete old release records on the target (${store.where}): ${error.message}`)
        })
        return undefined
      },
      (error: Error) => {
        const why = `could not write the release record to the target (${store.where}): ${error.message}`
        warn(why)
        return why
      },
    ),
    appendHistory(target.stateDir, entry).catch((error: Error) => {
      warn(`could not write the local history cache: ${error.message}`)
    }),
  ])
  void configText
  return unwritten
}

/**
 * Records newest first, from the target. The local cache answers only when the target has no
 * records at all (a target released by a gwdeploy that did not write them yet).
 */
export async function listRecords(
  target: Pick<Target, 'provider' | 'stateDir'>,
  limit: number,
  warn?: (message: string) => void,
  signal?: AbortSignal,
): Promise<ReleaseRecord[]> {
  const store = target.provider.records?.()
  let records: ReleaseRecord[]
  try {
    records =
      (await store?.list(limit, {
        ...(signal ? { signal } : {}),
        unreadable: (where, reason) =>
          warn?.(
            `release record ${where} cannot be read (${reason}): it is left out, so history, \`rollback\` and \`status\` do not see that operation; restore or delete it`,
          ),
      })) ?? []
  } catch (error) {
    // Stopped by the interrupt: the run ends with it (exit 130), not with an unreadable store.
    if (signal?.aborted) throw signal.reason
    // The store itself is unreadable (the records directory replaced by a file): not a bug, exit 6.
    if (isGwError(error)) throw error
    throw new GwError(
      RECORDS_UNLISTED,
      ExitCode.provider,
      `the release records on the target (${store?.where}) cannot be listed: ${(error as Error).message}`,
      {
        cause: error,
        hint: 'Restore them there (on local and haproxy: a directory gwdeploy may read and write), then re-run; until then history, `rollback` and `status` do not see past operations.',
      },
    )
  }
  if (records.length > 0) return records
  return (await readHistory(target.stateDir)).reverse().slice(0, limit)
}

/**
 * `listRecords` for a reader that can go on without them (status, the engine's decisions): a
 * target whose records cannot be listed is warned about and reads as none.
 */
export function recordsOrNone(
  target: Pick<Target, 'provider' | 'stateDir'>,
  limit: number,
  warn: (message: string) => void,
  signal?: AbortSignal,
): Promise<ReleaseRecord[]> {
  // A broken lock's record is for `history` and the run whose lock it was; no decision reads it.
  const operations = listRecords(target, limit, warn, signal).then((records) =>
    records.filter((r) => r.operation !== 'lock'),
  )
  return operations.catch((error: Error) => {
    // An interrupt is not a store to go on without: the reader stops with it.
    if (signal?.aborted) throw signal.reason
    const why =
      isGwError(error) && error.code === RECORDS_UNLISTED
        ? error.message
        : `could not read the release records from the target: ${error.message}`
    warn(`${why}; going on without them`)
    return []
  })
}

/** The last completed release or rollback (`released`/`switched`), newest first. */
export const isCompleted = (record: ReleaseRecord) =>
  (record.status === 'released' || record.status === 'switched') && record.sha !== undefined

/**
 * What was released as `sha` (a full SHA or a prefix): the newest recorded release of it that
 * carries what a redeploy needs — the stamped config, and the image by digest on image-based
 * providers. From the target's records first, else the local artifact cache.
 */
export async function recordedArtifact(
  target: Pick<Target, 'provider' | 'stateDir'>,
  sha: string,
  records?: ReleaseRecord[],
): Promise<Artifact | undefined> {
  const wanted = sha.toLowerCase()
  const image = target.provider.capabilities.image
  const all = records ?? (await listRecords(target, LOOKBACK))
  const match = all.find(
    (r) =>
      r.sha?.startsWith(wanted) &&
      r.configName &&
      r.configDigest &&
      (image ? r.image?.includes('@sha256:') : r.configText !== undefined),
  )
  if (match?.sha && match.configName && match.configDigest) {
    return {
      sha: match.sha,
      sha7: match.sha.slice(0, 7),
      configName: match.configName,
      configDigest: match.configDigest,
      // Image providers deploy the image by digest: the config inside it is what runs.
      configText: match.configText ?? '',
      ...(match.version ? { version: match.version } : {}),
      ...(match.image ? { image: match.image } : {}),
    }
  }
  const cached = (await readdirSafe(`${target.stateDir}/artifacts`)).find((name) => name.startsWith(wanted))
  return cached ? loadArtifact(target.stateDir, cached.replace(/\.json$/, '')) : undefined
}

/**
 * The stamped config the serving colour runs, from the target's `records` (matched by SHA and
 * config digest), else the local artifact cache; undefined when nothing serves or it is unknown.
 */
export async function liveConfigText(
  target: Pick<Target, 'stateDir'>,
  state: TargetState,
  records: ReleaseRecord[],
): Promise<string | undefined> {
  const serving = COLOURS.filter((c) => state.fleets[c] && state.weights[c] > 0).sort(
    (a, b) => state.weights[b] - state.weights[a],
  )[0]
  const fleet = serving ? state.fleets[serving] : undefined
  if (!fleet) return undefined
  const match = records.find(
    (r) => r.sha === fleet.sha && r.configDigest === fleet.configDigest && r.configText,
  )
  if (match?.configText) return match.configText
  const cached = await loadArtifact(target.stateDir, fleet.sha)
  return cached?.configDigest === fleet.configDigest && cached.configText ? cached.configText : undefined
}
