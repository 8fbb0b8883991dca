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
