import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Colour, Weights } from '../providers/types.ts'

/** One line of <stateDir>/history.jsonl: the local audit log (provider-side state is the truth). */
export interface HistoryEntry {
  time: string
  operation: 'release' | 'rollback' | 'promote' | 'retire' | 'destroy'
  status:
    | 'released'
    | 'preview'
    | 'failed'
    | 'rolled-back'
    | 'switched'
    | 'retired'
    | 'destroyed'
    | 'interrupted'
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
}

export const historyFile = (stateDir: string) => join(stateDir, 'history.jsonl')

export async function appendHistory(stateDir: string, entry: HistoryEntry): Promise<void> {
  const file = historyFile(stateDir)
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  await appendFile(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 })
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
