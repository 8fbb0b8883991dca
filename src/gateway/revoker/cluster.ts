/**
 * Revocations under node:cluster: the primary owns the filter and the RPC port; each worker keeps a
 * copy that follows it over IPC (the structured clone: runtime.ts sets `serialization: 'advanced'`).
 * A worker asks for the whole filter when it starts and serves no request before it has it; every
 * later change reaches it in order on the same channel (an Add's elements, a union's changed bytes,
 * the whole filter only when a union changed very many), and the primary answers the revoke tool
 * only when every following worker has acknowledged (or exited).
 */
import type { Worker } from 'node:cluster'
import type { BitChangeList, SlidingBloomFilter, SlidingSnapshot } from './bloom-filter.ts'
import type { Followers } from './revocation-service.ts'

const HELLO = 'gwdeploy:revoker:hello'
const SNAPSHOT = 'gwdeploy:revoker:snapshot'
const ADD = 'gwdeploy:revoker:add'
const ROTATE = 'gwdeploy:revoker:rotate'
const RESTORE = 'gwdeploy:revoker:restore'
const APPLY = 'gwdeploy:revoker:apply'
const APPLIED = 'gwdeploy:revoker:applied'

/** How long the primary waits for a worker to apply a change before it reports a failure. */
const APPLY_TIMEOUT_MS = 5000

type Message =
  | { type: typeof HELLO }
  | { type: typeof SNAPSHOT; snapshot: SlidingSnapshot }
  | { type: typeof ADD; id: number; elems: Uint8Array[] }
  | { type: typeof ROTATE }
  | { type: typeof RESTORE; id: number; snapshot: SlidingSnapshot }
  | { type: typeof APPLY; id: number; changes: BitChangeList }
  | { type: typeof APPLIED; id: number }

const isMessage = (m: unknown): m is Message =>
  typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string'

/** The primary's side: call `attach` for every forked worker. */
export function createFollowers(filter: SlidingBloomFilter): Followers & { attach(worker: Worker): void } {
  const following = new Set<Worker>()
  const pending = new Map<number, { waiting: Set<Worker>; resolve: () => void }>()
  let lastId = 0

  const settle = (id: number, worker: Worker) => {
    const entry = pending.get(id)
    if (!entry) return
    entry.waiting.delete(worker)
    if (entry.waiting.size === 0) {
      pending.delete(id)
      entry.resolve()
    }
  }
  const broadcast = (message: (id: number) => Message): Promise<void> => {
    const id = ++lastId
    const waiting = new Set(following)
    if (waiting.size === 0) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(
          new Error(
            `${waiting.size} gateway worker(s) did not apply it within ${APPLY_TIMEOUT_MS} ms; send it again`,
          ),
        )
      }, APPLY_TIMEOUT_MS)
      pending.set(id, {
        waiting,
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
      })
      for (const worker of waiting) worker.send(message(id))
    })
  }

  return {
    attach(worker) {
      worker.on('message', (message: unknown) => {
        if (!isMessage(message)) return
        if (message.type === HELLO) {
          worker.send({ type: SNAPSHOT, snapshot: filter.snapshot() } satisfies Message)
          following.add(worker)
        } else if (message.type === APPLIED) settle(message.id, worker)
      })
      worker.once('exit', () => {
        following.delete(worker)
        for (const id of [...pending.keys()]) settle(id, worker)
      })
    },
    add: (elems) => broadcast((id) => ({ type: ADD, id, elems })),
    rotate: () => {
      for (const worker of following) worker.send({ type: ROTATE } satisfies Message)
    },
    apply: (changes) => broadcast((id) => ({ type: APPLY, id, changes })),
    restore: (snapshot) => broadcast((id) => ({ type: RESTORE, id, snapshot })),
  }
}

/** A worker's side: resolves once the primary's filter is copied; applies every later change. */
export function followPrimary(filter: SlidingBloomFilter): Promise<void> {
  const send = (message: Message) => process.send?.(message)
  return new Promise((resolve) => {
    let ready = false
    process.on('message', (message: unknown) => {
      if (!isMessage(message)) return
      switch (message.type) {
        case SNAPSHOT:
          filter.restore(message.snapshot)
          ready = true
          resolve()
          break
        // Changes sent before the snapshot are in it already.
        case ADD:
          if (!ready) return
          for (const elem of message.elems) filter.add(elem)
          send({ type: APPLIED, id: message.id })
          break
        case ROTATE:
          if (ready) filter.rotate()
          break
        case RESTORE:
          if (!ready) return
          filter.restore(message.snapshot)
          send({ type: APPLIED, id: message.id })
          break
        case APPLY:
          if (!ready) return
          filter.apply(message.changes)
          send({ type: APPLIED, id: message.id })
          break
      }
    })
    send({ type: HELLO })
  })
}
