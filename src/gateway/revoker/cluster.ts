/**
 * Revocations under node:cluster: the primary owns the filter and the RPC port; each worker keeps a
 * copy that follows it over IPC (the structured clone: runtime.ts sets `serialization: 'advanced'`).
 * A worker asks for the whole filter when it starts and serves no request before it has it; every
 * later change reaches it in order on the same channel (an Add's elements, a union's changed bytes,
 * the whole filter only when a union changed very many), and the primary answers the revoke tool
 * only when every following worker has acknowledged (or exited).
 *
 * The whole filter after a union goes as slices (1 MB each by default, one written before the next
 * is sent), each ORed in as it arrives: at KrakenD's documented size (three filters of 42 MB) one
 * message took a worker's event loop about half a second to read. ORing only adds bits, so a
 * worker never unrevokes a token part-way; a slice names its filter by number (SlidingSnapshot), so
 * a slide while the slices go (the worker slides when the primary does, on the same channel) still
 * lands each in the filter it came from, and the worker ends with the primary's bits.
 */
import type { Worker } from 'node:cluster'
import {
  type BitChangeList,
  nextTurn,
  type SlidingBloomFilter,
  type SlidingSnapshot,
} from './bloom-filter.ts'
import type { Followers } from './revocation-service.ts'

const HELLO = 'gwdeploy:revoker:hello'
const SNAPSHOT = 'gwdeploy:revoker:snapshot'
const ADD = 'gwdeploy:revoker:add'
const ROTATE = 'gwdeploy:revoker:rotate'
const SLICE = 'gwdeploy:revoker:slice'
const SLICED = 'gwdeploy:revoker:sliced'
const APPLY = 'gwdeploy:revoker:apply'
const APPLIED = 'gwdeploy:revoker:applied'

/** How long the primary waits for a worker to apply a change before it reports a failure. */
const APPLY_TIMEOUT_MS = 5000
/** Bytes of a filter per message when the whole filter goes to the workers. */
export const SLICE_BYTES = 1 << 20

type Message =
  | { type: typeof HELLO }
  | { type: typeof SNAPSHOT; snapshot: SlidingSnapshot }
  | { type: typeof ADD; id: number; elems: Uint8Array[] }
  | { type: typeof ROTATE }
  /** Bytes of filter number `filter` (see SlidingSnapshot) from `offset` on, to OR in. */
  | { type: typeof SLICE; filter: number; offset: number; bits: Uint8Array }
  /** The last slice of a whole filter is sent: acknowledge once it is applied. */
  | { type: typeof SLICED; id: number }
  | { type: typeof APPLY; id: number; changes: BitChangeList }
  | { type: typeof APPLIED; id: number }

const isMessage = (m: unknown): m is Message =>
  typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string'

/** The primary's side: call `attach` for every forked worker. */
export function createFollowers(
  filter: SlidingBloomFilter,
  options: { sliceBytes?: number } = {},
): Followers & { attach(worker: Worker): void } {
  const sliceBytes = options.sliceBytes ?? SLICE_BYTES
  if (!Number.isInteger(sliceBytes) || sliceBytes < 1) throw new Error(`a slice of ${sliceBytes} bytes`)
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
  const broadcast = (deliver: (worker: Worker, id: number) => void): Promise<void> => {
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
      for (const worker of waiting) deliver(worker, id)
    })
  }
  const written = (worker: Worker, message: Message) =>
    new Promise<void>((resolve, reject) => {
      worker.send(message, (error) => (error ? reject(error) : resolve()))
    })
  /**
   * The whole filter to one worker, a slice at a time: the next once the last is written out (so
   * the primary holds about one slice per worker, not the filter), then the request to acknowledge.
   * The arrays are read as they are when each slice goes: bits set since are only more bits the
   * primary has too. A filter that slides out meanwhile is not sent on; the worker drops it too.
   */
  const sendSlices = async (worker: Worker, id: number, snapshot: SlidingSnapshot) => {
    const arrays = [snapshot.previous, snapshot.current, snapshot.next]
    for (const [i, bits] of arrays.entries()) {
      const number = snapshot.rotations + i
      for (let offset = 0; offset < bits.length && number >= filter.rotations; offset += sliceBytes) {
        if (!following.has(worker)) return
        const slice = bits.subarray(offset, offset + sliceBytes)
        await written(worker, { type: SLICE, filter: number, offset, bits: slice })
        await nextTurn()
      }
    }
    if (following.has(worker)) await written(worker, { type: SLICED, id })
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
    add: (elems) => broadcast((worker, id) => worker.send({ type: ADD, id, elems } satisfies Message)),
    rotate: () => {
      for (const worker of following) worker.send({ type: ROTATE } satisfies Message)
    },
    apply: (changes) =>
      broadcast((worker, id) => worker.send({ type: APPLY, id, changes } satisfies Message)),
    // A worker whose channel closes meanwhile is settled by its exit.
    restore: (snapshot) => broadcast((worker, id) => void sendSlices(worker, id, snapshot).catch(() => {})),
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
        // One slice of the whole filter, ORed in as it comes: requests run between slices.
        case SLICE:
          if (ready) filter.orSlice(message.filter, message.offset, message.bits)
          break
        case SLICED:
          if (!ready) return
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
