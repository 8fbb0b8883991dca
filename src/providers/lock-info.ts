import { hostname } from 'node:os'
import { isAlive } from './local/state.ts'
import type { LockInfo, LockRequest } from './types.ts'

/** The lock a successful `tryAcquire(request)` records: acquired and renewed now, expiring after the TTL. */
export function newLockInfo(request: LockRequest, now = new Date()): LockInfo {
  return {
    holder: request.holder,
    ...(request.sha ? { sha: request.sha } : {}),
    operation: request.operation,
    acquiredAt: now.toISOString(),
    renewedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + request.ttlMs).toISOString(),
  }
}

/**
 * A holder on this host (`user@host pid N`) whose process is gone (kill -9, OOM): a file lock
 * (local, haproxy) takes its lock over at once rather than wait out the TTL.
 */
export function holderIsGone(holder: string): boolean {
  const match = /@(\S+) pid (\d+)/.exec(holder)
  return match?.[1] === hostname() && !isAlive(Number(match[2]))
}
