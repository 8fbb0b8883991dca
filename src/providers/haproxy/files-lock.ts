/**
 * One gwdeploy writer at a time for one haproxy.cfg and its map: each read-change-write of them
 * (a release's servers and split, a maintenance switch, the pages' rules) holds
 * `<haproxy.cfg>.gwdeploy.lock`. Targets sharing a haproxy.cfg, and `maintenance` (which takes no
 * release lock) beside a release, otherwise read the same file, each write its own version of it,
 * and the last rename wins: a change lost on disk, undone by the next reload. The lock is a file
 * created exclusively holding `user@host pid N`; one whose process is gone (same host), or older
 * than STALE_MS (a writer holds it for seconds), is taken over.
 */
import { readFile, rm, stat, writeFile } from 'node:fs/promises'
import { hostname, userInfo } from 'node:os'
import { providerError } from '../../core/errors.ts'
import { holderIsGone } from '../lock-info.ts'

const STALE_MS = 5 * 60_000
const WAIT_MS = 60_000

export async function withFilesLock<T>(configFile: string, work: () => Promise<T>): Promise<T> {
  const lock = `${configFile}.gwdeploy.lock`
  const holder = `${userInfo().username}@${hostname()} pid ${process.pid}`
  for (const deadline = Date.now() + WAIT_MS; ; ) {
    try {
      await writeFile(lock, `${holder}\n`, { flag: 'wx', mode: 0o644 })
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const other = (await readFile(lock, 'utf8').catch(() => '')).trim()
    const age = await stat(lock).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    )
    if ((other !== '' && holderIsGone(other)) || age > STALE_MS) {
      await rm(lock, { force: true })
      continue
    }
    if (Date.now() > deadline)
      throw providerError(
        `${configFile} is being written by another gwdeploy (${other || 'unknown holder'})`,
        {
          hint: `Wait for it to finish and run the command again; if no gwdeploy runs, remove ${lock}.`,
        },
      )
    await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50))
  }
  try {
    return await work()
  } finally {
    await rm(lock, { force: true })
  }
}
