/**
 * The release lock as a coordination.k8s.io/v1 Lease: create (409 = someone holds it), take
 * over an expired one with a replace carrying the resourceVersion we read (409 = someone else
 * won the race), renew by replace while held, release by a delete with a resourceVersion
 * precondition (never deletes a lock another run took over).
 */
import type * as k8s from '@kubernetes/client-node'
import { providerError } from '../../core/errors.ts'
import type { CallOptions, Lock, LockAttempt, LockInfo, LockRequest } from '../types.ts'
import { call, isConflict, isNotFound, type KubeClient, unlessNotFound } from './client.ts'
import { ANNOTATION, baseSelector, LABEL, MANAGED_BY } from './names.ts'
import type { KubeSettings } from './settings.ts'

/** MicroTime: RFC 3339 with exactly six fractional digits (the API server rejects three). */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
}

const time = (value: unknown): Date | undefined => {
  if (value === undefined || value === null) return undefined
  const date = new Date(value as string)
  return Number.isNaN(date.getTime()) ? undefined : date
}

export function leaseInfo(lease: k8s.V1Lease): LockInfo | null {
  const spec = lease.spec
  if (!spec?.holderIdentity) return null
  const annotations = lease.metadata?.annotations ?? {}
  const renewed = time(spec.renewTime) ?? time(spec.acquireTime) ?? new Date(0)
  const acquired = time(spec.acquireTime) ?? renewed
  const expires = new Date(renewed.getTime() + (spec.leaseDurationSeconds ?? 0) * 1000)
  const sha = annotations[ANNOTATION.sha]
  const operation = annotations[ANNOTATION.operation]
  return {
    holder: spec.holderIdentity,
    ...(sha ? { sha } : {}),
    ...(operation ? { operation } : {}),
    acquiredAt: acquired.toISOString(),
    renewedAt: renewed.toISOString(),
    expiresAt: expires.toISOString(),
  }
}

/** How long an interrupted acquire may spend removing a Lease it may have created. */
const ABANDON_MS = 1_000

export class LeaseLock implements Lock {
  readonly #api: () => Promise<KubeClient>
  readonly #settings: KubeSettings
  #mine: { request: LockRequest; acquiredAt: Date } | undefined

  /** `api` connects on first use, so `Provider.lock()` stays synchronous. */
  constructor(api: () => Promise<KubeClient>, settings: KubeSettings) {
    this.#api = api
    this.#settings = settings
  }

  get #where() {
    return { name: this.#settings.names.lease, namespace: this.#settings.names.namespace }
  }

  #body(request: LockRequest, acquiredAt: Date, resourceVersion?: string): k8s.V1Lease {
    const annotations: Record<string, string> = { [ANNOTATION.operation]: request.operation }
    if (request.sha) annotations[ANNOTATION.sha] = request.sha
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        ...this.#where,
        ...(resourceVersion ? { resourceVersion } : {}),
        labels: { ...baseSelector(this.#settings.names), [LABEL.managedBy]: MANAGED_BY },
        annotations,
      },
      spec: {
        holderIdentity: request.holder,
        leaseDurationSeconds: Math.max(1, Math.ceil(request.ttlMs / 1000)),
        // Sent as strings: a Date would be serialized with three fractional digits.
        acquireTime: microTime(acquiredAt) as unknown as Date,
        renewTime: microTime(new Date()) as unknown as Date,
      },
    }
  }

  async #read(leases: k8s.CoordinationV1Api): Promise<k8s.V1Lease | null> {
    return (await unlessNotFound(() => leases.readNamespacedLease(this.#where))) ?? null
  }

  /** One Lease operation; `signal` (the run's interrupt) stops it mid-call, not only its deadline. */
  async #call<T>(
    what: string,
    fn: (leases: k8s.CoordinationV1Api) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const client = (await this.#api()).under(signal)
    const where = `${what} Lease ${this.#where.namespace}/${this.#where.name}`
    return call(where, client, () => fn(client.coordination), signal)
  }

  async tryAcquire(request: LockRequest, options: CallOptions = {}): Promise<LockAttempt> {
    const now = new Date()
    try {
      return await this.#call('acquire', (leases) => this.#acquire(leases, request, now), options.signal)
    } catch (error) {
      // Stopped mid-call, the create or takeover may have reached the API server: a Lease left
      // with this run as holder is deleted (bounded, it must not hold up the interrupt).
      if (options.signal?.aborted) await this.#abandon(request.holder).catch(() => {})
      throw error
    }
  }

  async #abandon(holder: string): Promise<void> {
    const leases = (await this.#api()).under(AbortSignal.timeout(ABANDON_MS)).coordination
    const current = await this.#read(leases)
    if (current?.spec?.holderIdentity === holder)
      await this.#delete(leases, current.metadata?.resourceVersion)
  }

  async #acquire(leases: k8s.CoordinationV1Api, request: LockRequest, now: Date): Promise<LockAttempt> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const created = await leases.createNamespacedLease({
          namespace: this.#where.namespace,
          body: this.#body(request, now),
        })
        this.#mine = { request, acquiredAt: now }
        return { acquired: true, lock: leaseInfo(created) as LockInfo }
      } catch (error) {
        if (!isConflict(error)) throw error
      }
      const current = await this.#read(leases)
      if (!current) continue // deleted between our create and read: try again
      const info = leaseInfo(current)
      if (info && Date.parse(info.expiresAt) > Date.now()) return { acquired: false, lock: info }
      try {
        const taken = await leases.replaceNamespacedLease({
          ...this.#where,
          body: this.#body(request, now, current.metadata?.resourceVersion),
        })
        this.#mine = { request, acquiredAt: now }
        return { acquired: true, lock: leaseInfo(taken) as LockInfo, ...(info ? { tookOver: info } : {}) }
      } catch (error) {
        if (!isConflict(error)) throw error
        // Another run took the expired lease first: report it as held.
        const winner = await this.#read(leases)
        const winnerInfo = winner && leaseInfo(winner)
        if (winnerInfo) return { acquired: false, lock: winnerInfo }
      }
    }
    throw providerError('kubernetes: the lock Lease keeps changing under us; try again')
  }

  async renew(): Promise<LockInfo> {
    const mine = this.#mine
    if (!mine) throw providerError('kubernetes: renew called without holding the lock')
    return this.#call('renew', async (leases) => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const current = await this.#read(leases)
        if (current?.spec?.holderIdentity !== mine.request.holder) {
          this.#mine = undefined
          throw providerError(
            `kubernetes: the lock was lost: Lease ${this.#where.name} is ${current ? `held by ${current.spec?.holderIdentity}` : 'gone'}`,
          )
        }
        try {
          const renewed = await leases.replaceNamespacedLease({
            ...this.#where,
            body: this.#body(mine.request, mine.acquiredAt, current.metadata?.resourceVersion),
          })
          return leaseInfo(renewed) as LockInfo
        } catch (error) {
          if (!isConflict(error)) throw error
        }
      }
      throw providerError('kubernetes: could not renew the lock Lease (it keeps changing)')
    })
  }

  async release(): Promise<void> {
    const mine = this.#mine
    if (!mine) return
    this.#mine = undefined
    await this.#call('release', async (leases) => {
      // A renewal still in flight can replace the Lease between our read and the delete: the
      // precondition then fails, and while the Lease is still ours we read and delete again.
      for (let attempt = 0; attempt < 5; attempt++) {
        const current = await this.#read(leases)
        if (current?.spec?.holderIdentity !== mine.request.holder) return
        if (await this.#delete(leases, current.metadata?.resourceVersion)) return
      }
      throw providerError(
        `kubernetes: could not release the lock Lease ${this.#where.name} (it keeps changing)`,
      )
    })
  }

  /** `options.signal` (the run's interrupt) stops the read mid-call. */
  async status(options: CallOptions = {}): Promise<LockInfo | null> {
    return this.#call(
      'read',
      async (leases) => {
        const current = await this.#read(leases)
        return current ? leaseInfo(current) : null
      },
      options.signal,
    )
  }

  /**
   * `options.signal` stops it mid-call: the delete is one call with a resourceVersion
   * precondition, so the Lease is then either gone or as it was, never half-broken.
   */
  async forceRelease(options: CallOptions = {}): Promise<LockInfo | null> {
    return this.#call(
      'break',
      async (leases) => {
        const current = await this.#read(leases)
        if (!current) return null
        await this.#delete(leases, current.metadata?.resourceVersion)
        return leaseInfo(current)
      },
      options.signal,
    )
  }

  /** Deletes the Lease at `resourceVersion`; false when it changed since it was read (a conflict). */
  async #delete(leases: k8s.CoordinationV1Api, resourceVersion: string | undefined): Promise<boolean> {
    try {
      await leases.deleteNamespacedLease({
        ...this.#where,
        body: { preconditions: resourceVersion ? { resourceVersion } : {} },
      })
      return true
    } catch (error) {
      if (isNotFound(error)) return true
      if (isConflict(error)) return false
      throw error
    }
  }
}
