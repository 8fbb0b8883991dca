import { appendFile, mkdir, open, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Colour, Weights } from '../providers/types.ts'

// `lock`: `lock release --force` broke a run's lock (status `broken`): the run names who did.
export const RECORD_OPERATIONS = ['release', 'rollback', 'promote', 'retire', 'destroy', 'lock'] as const
export const RECORD_STATUSES = [
  // A destroy's or retire's intent, written before it changes anything: unfinished until its end's record.
  'started',
  'released',
  'preview',
  'failed',
  'rolled-back',
  'switched',
  'retired',
  'destroyed',
  'interrupted',
  'broken',
] as const

/** One line of <stateDir>/history.jsonl: the local audit log (provider-side state is the truth). */
export interface HistoryEntry {
  time: string
  operation: (typeof RECORD_OPERATIONS)[number]
  status: (typeof RECORD_STATUSES)[number]
  service: string
  env?: string | undefined
  sha?: string | undefined
  version?: string | undefined
  configName?: string | undefined
  configDigest?: string | undefined
  image?: string | undefined
  colour?: Colour | undefined
  previous?: { colour: Colour; sha: string } | undefined
  weights?: Weights | undefined
  durationMs?: number | undefined
  holder?: string | undefined
  error?: string | undefined
  exitCode?: number | undefined
  /** The lock `lock release --force` broke (operation `lock`): whose, since when, doing what. */
  brokenLock?: { holder: string; acquiredAt: string; operation?: string | undefined } | undefined
  /** A retire a release or rollback ran (the idle colour on the slot it deploys to): that run's SHA. */
  partOf?: { operation: 'release' | 'rollback' | 'promote'; sha: string } | undefined
  /** What a finished destroy removed or emptied, as its output listed it. */
  done?: string[] | undefined
  /** Steps that did not finish after the release went live (it serves all traffic all the same). */
  unfinished?: string[] | undefined
}

const historyFile = (stateDir: string) => join(stateDir, 'history.jsonl')

export async function appendHistory(stateDir: string, entry: HistoryEntry): Promise<void> {
  const file = historyFile(stateDir)
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  // After a crash mid-append the file may end in a torn line: start on a line of our own.
  const torn = await endsWithoutNewline(file)
  await appendFile(file, `${torn ? '\n' : ''}${JSON.stringify(entry)}\n`, { mode: 0o600 })
}

async function endsWithoutNewline(file: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>> | undefined
  try {
    handle = await open(file, 'r')
    const { size } = await handle.stat()
    if (size === 0) return false
    const last = Buffer.alloc(1)
    await handle.read(last, 0, 1, size - 1)
    return last[0] !== 0x0a
  } catch {
    return false
  } finally {
    await handle?.close()
  }
}

export async function readHistory(stateDir: string): Promise<HistoryEntry[]> {
  let text: string
  try {
    text = await readFile(historyFile(stateDir), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const entries: HistoryEntry[] = []
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    try {
      entries.push(JSON.parse(line) as HistoryEntry)
    } catch {
      // a torn last line after a crash: skip it
    }
  }
  return entries
}
