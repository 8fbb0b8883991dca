import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import { newLockInfo } from '../lock-info.ts'
import type { Lock, LockInfo, LockRequest } from '../types.ts'
import { isAlive } from './state.ts'

/**
 * A lock file: created with O_EXCL (atomic), carries holder, SHA, operation and an expiry;
 * renewed by rewriting it (temp + rename). An expired lock is taken over by renaming a new
 * file over it after re-reading it, so two takers cannot both win silently: the loser sees
 * a different holder on its verification read.
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
      // A torn or empty file (a writer died mid-write of the O_EXCL create) counts as expired.
      return {
        holder: 'unknown (unreadable lock file)',
        acquiredAt: '',
        renewedAt: '',
        expiresAt: new Date(0).toISOString(),
      }
    }
  }

  async tryAcquire(request: LockRequest) {
    const info = newLockInfo(request)
    await mkdir(dirname(this.#file), { recursive: true, mode: 0o700 })
    try {
      const handle = await open(this.#file, 'wx', 0o600)
      await handle.writeFile(`${JSON.stringify(info, null, 2)}\n`)
      await handle.close()
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const current = await this.#read()
      if (current && Date.parse(current.expiresAt) > Date.now() && !holderIsDead(current.holder))
        return { acquired: false as const, lock: current }
      // Expired: take it over atomically, then verify we are the one who won.
      const tmp = `${this.#file}.${process.pid}.tmp`
      await writeFile(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 })
      await rename(tmp, this.#file)
      const check = await this.#read()
      if (!check || check.holder !== info.holder || check.acquiredAt !== info.acquiredAt) {
        return { acquired: false as const, lock: check ?? info }
      }
    }
    this.#mine = info
    this.#ttlMs = request.ttlMs
    return { acquired: true as const, lock: info }
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

/**
 * A holder on this host whose process is gone (kill -9, OOM) left the lock behind: it is taken
 * over at once instead of blocking every release for the rest of its TTL.
 */
function holderIsDead(holder: string): boolean {
  const match = /@(\S+) pid (\d+)/.exec(holder)
  if (!match || match[1] !== hostname()) return false
  return !isAlive(Number(match[2]))
}
