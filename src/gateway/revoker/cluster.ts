/**
 * Revocations under node:cluster: the primary owns the filter and the RPC port; each worker keeps a
 * copy that follows it over IPC (the structured clone: runtime.ts sets `serialization: 'advanced'`).
 * A worker asks for the whole filter when it starts and serves no request before it has it; every
 * later change reaches it in order on the same channel (an Add's elements, a union's changed bytes,
 * the whole filter only when a union changed very many), and the primary answers the revoke tool
 * only when every following worker has acknowledged (or exited).
 *
 * The whole filter goes as slices (1 MB each by default, one written before the next is sent),
 * each ORed in as it arrives: at KrakenD's documented size (three filters of 42 MB) one message
 * took a long turn of the sender's event loop to clone (the primary's, which meanwhile hands no new
 * connection to any worker) and of the reader's to read. ORing only adds bits, so a
 * worker never unrevokes a token part-way; a slice names its filter by number (SlidingSnapshot), so
 * a slide while the slices go (the worker slides when the primary does, on the same channel) still
 * lands each in the filter it came from, and the worker ends with the primary's bits.
 *
 * A worker's start copy is sliced too, and changes made while it goes are not held back: in the
 * turn the primary reads a worker's HELLO it sends START (its slide count) and adds the worker to
 * the followers, so every change made from then on is sent to it after START, in order. The worker
 * empties its filter and numbers it as the primary's at START, then applies every message as it
 * comes (slides in step, Adds, unions' changes, slices ORed in) and serves only at COPIED, sent
 * after the last slice of the copy. Why that is the primary's filter: a bit the primary holds in
 * filter number f was set either before START — then it is in f's array when each slice of f is
 * read, later than START (a filter's bits are only ever added to until it slides out, and one
 * that slid out is neither sent on nor kept by the worker) — or after START, and then by a change
 * sent to the worker (a filter created by a slide after START starts empty in both). The worker
 * only ever ORs in bits the primary had. So when it starts serving it lacks only changes still on
 * their way, as any following worker does, and the revoke tool hears back about those only once
 * this worker has applied them too.
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
const START = 'gwdeploy:revoker:start'
const COPIED = 'gwdeploy:revoker:copied'
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
  /** The start copy begins: empty the filter and number it from `rotations` (see SlidingSnapshot). */
  | { type: typeof START; rotations: number }
  /** The last slice of the start copy is sent: the worker may serve. */
  | { type: typeof COPIED }
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
   * The whole filter to one worker, a slice at a time, the next once the last is written out (so
   * the primary holds about one slice per worker, not the filter), then `last` (unless the worker
   * left meanwhile). The arrays are read as they are when each slice goes: bits set since are only
   * more bits the primary has too. A filter that slides out meanwhile is not sent on; the worker
   * drops it too.
   */
  const sendSlices = async (worker: Worker, snapshot: SlidingSnapshot, last: Message) => {
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
    if (following.has(worker)) await written(worker, last)
  }

  return {
    attach(worker) {
      worker.on('message', (message: unknown) => {
        if (!isMessage(message)) return
        if (message.type === HELLO) {
          // START and following in one turn: every later change is sent after START (see above).
          const snapshot = filter.snapshot()
          worker.send({ type: START, rotations: snapshot.rotations } satisfies Message)
          following.add(worker)
          // A worker whose channel closes meanwhile is let go by its exit.
          sendSlices(worker, snapshot, { type: COPIED }).catch(() => {})
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
    restore: (snapshot) =>
      broadcast((worker, id) => void sendSlices(worker, snapshot, { type: SLICED, id }).catch(() => {})),
  }
}

/**
 * A worker's side: resolves once the primary's filter is copied (COPIED); applies every change, from
 * START on, as it comes — before COPIED too, acknowledging it: see the comment at the top for why
 * the copy then is the primary's filter.
 */
export function followPrimary(filter: SlidingBloomFilter): Promise<void> {
  const send = (message: Message) => process.send?.(message)
  return new Promise((resolve) => {
    process.on('message', (message: unknown) => {
      if (!isMessage(message)) return
      // The primary sends nothing before START, the answer to HELLO.
      switch (message.type) {
        case START:
          filter.reset(message.rotations)
          break
        case COPIED:
          resolve()
          break
        case ADD:
          for (const elem of message.elems) filter.add(elem)
          send({ type: APPLIED, id: message.id })
          break
        case ROTATE:
          filter.rotate()
          break
        // One slice of the whole filter, ORed in as it comes: requests run between slices.
        case SLICE:
          filter.orSlice(message.filter, message.offset, message.bits)
          break
        case SLICED:
          send({ type: APPLIED, id: message.id })
          break
        case APPLY:
          filter.apply(message.changes)
          send({ type: APPLIED, id: message.id })
          break
      }
    })
    send({ type: HELLO })
  })
}
