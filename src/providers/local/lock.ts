import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { holderIsGone, newLockInfo } from '../lock-info.ts'
import type { Lock, LockAttempt, LockInfo, LockRequest } from '../types.ts'

/**
 * A lock file: created whole and exclusively (a complete temp file hard-linked to the name, which
 * fails if it exists), carries holder, SHA, operation and an expiry; renewed by rewriting it
 * (temp + rename), so it is never seen half-written. An expired lock is taken over by renaming a
 * new file over it after re-reading it, so two takers cannot both win silently: the loser sees a
 * different holder on its verification read. A lock file that cannot be read (corrupt, edited by
 * hand) is never taken over: it may be a freeze.
 */
export class FileLock implements Lock {
  readonly #file: string
  #mine: LockInfo | undefined
  #ttlMs = 0

  constructor(file: string) {
    this.#file = file
  }

  async #read(): Promise<LockInfo | null> {
    try {
      return JSON.parse(await readFile(this.#file, 'utf8')) as LockInfo
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      return {
        holder: 'unknown (unreadable lock file)',
        acquiredAt: '',
        renewedAt: '',
        expiresAt: '',
        unreadable: `${this.#file}: ${(error as Error).message}`,
      }
    }
  }

  async tryAcquire(request: LockRequest): Promise<LockAttempt> {
    const info = newLockInfo(request)
    await mkdir(dirname(this.#file), { recursive: true, mode: 0o700 })
    const tmp = `${this.#file}.${process.pid}.tmp`
    await writeFile(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 })
    let tookOver: LockInfo | undefined
    try {
      await link(tmp, this.#file)
      await rm(tmp, { force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        await rm(tmp, { force: true })
        throw error
      }
      const current = await this.#read()
      const held =
        current &&
        (current.unreadable !== undefined ||
          (Date.parse(current.expiresAt) > Date.now() && !holderIsGone(current.holder)))
      if (held) {
        await rm(tmp, { force: true })
        return { acquired: false as const, lock: current }
      }
      // Expired or its holder dead: take it over atomically, then verify we are the one who won.
      await rename(tmp, this.#file)
      const check = await this.#read()
      if (!check || check.holder !== info.holder || check.acquiredAt !== info.acquiredAt) {
        return { acquired: false as const, lock: check ?? info }
      }
      tookOver = current ?? undefined
    }
    this.#mine = info
    this.#ttlMs = request.ttlMs
    return { acquired: true as const, lock: info, ...(tookOver ? { tookOver } : {}) }
  }

  async renew(): Promise<LockInfo> {
    const mine = this.#mine
    if (!mine) throw new Error('lock not held')
    const current = await this.#read()
    if (!current || current.holder !== mine.holder || current.acquiredAt !== mine.acquiredAt) {
      this.#mine = undefined
      throw new Error(
        current ? `lock was taken over by ${current.holder}` : 'lock was released by someone else',
      )
    }
    const now = new Date()
    const next = {
      ...mine,
      renewedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.#ttlMs).toISOString(),
    }
    const tmp = `${this.#file}.${process.pid}.tmp`
    await writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 })
    await rename(tmp, this.#file)
    this.#mine = next
    return next
  }

  async release(): Promise<void> {
    const mine = this.#mine
    if (!mine) return
    this.#mine = undefined
    const current = await this.#read()
    if (current && current.holder === mine.holder && current.acquiredAt === mine.acquiredAt) {
      await rm(this.#file, { force: true })
    }
  }

  status(): Promise<LockInfo | null> {
    return this.#read()
  }

  async forceRelease(): Promise<LockInfo | null> {
    const current = await this.#read()
    await rm(this.#file, { force: true })
    this.#mine = undefined
    return current
  }
}
