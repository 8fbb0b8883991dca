/**
 * A long run of failed releases on a local target, written through its record store (as the
 * releases would have written them) instead of running them: more records than a window of
 * newest records holds, in a few milliseconds.
 */
import { join } from 'node:path'
import { DirectoryRecords } from '../../src/providers/file-records.ts'

export async function appendFailedReleases(stateDir: string, count: number, sha: string): Promise<void> {
  const store = new DirectoryRecords(join(stateDir, 'records'))
  const start = Date.now() + 1_000
  for (let i = 0; i < count; i++)
    await store.append({
      time: new Date(start + i).toISOString(),
      operation: 'release',
      status: 'failed',
      service: 'e2e',
      sha,
      error: 'health gate failed',
      exitCode: 4,
    })
}
