// A cluster primary's revoker in this process and its workers as real child processes
// (follower-process.ts, on the structured-clone channel, as runtime.ts forks them): shared by the
// slice and start-copy tests. Every message to a worker is recorded with its structured-clone size.
import { type ChildProcess, fork } from 'node:child_process'
import type { Worker } from 'node:cluster'
import { createHash } from 'node:crypto'
import { after } from 'node:test'
import { serialize } from 'node:v8'
import {
  type BloomConfig,
  type RemoteSlidingFilter,
  SlidingBloomFilter,
} from '../../../src/gateway/revoker/bloom-filter.ts'
import { createFollowers } from '../../../src/gateway/revoker/cluster.ts'
import { revocationStore } from '../../../src/gateway/revoker/revocation-service.ts'

const helper = new URL('./follower-process.ts', import.meta.url).pathname
export const utf8 = new TextEncoder()
const children: ChildProcess[] = []
after(() => {
  for (const child of children) child.kill('SIGKILL')
})

export type Digests = Record<'previous' | 'current' | 'next', string>

export interface Report {
  maxStallMs: number
  maxBusyMs: number
  ticksWhileSliced: number
  messages: number
  misses: number
  sha256: Digests
  rotations: number
  checks: boolean[]
}

/** What the worker had when its followPrimary resolved (where a worker starts serving). */
export interface Ready {
  slices: number
  sha256: Digests
  rotations: number
  checks: boolean[]
}

export interface Sent {
  type: string
  bytes: number
  filter?: number
  offset?: number
}

type Outgoing = { type: string; filter?: number; offset?: number }

export const sha256 = (filter: SlidingBloomFilter): Digests =>
  Object.fromEntries(
    (['previous', 'current', 'next'] as const).map((which) => [
      which,
      createHash('sha256').update(filter.filters[which].bits).digest('hex'),
    ]),
  ) as Digests

/** A peer's set whose three filters hold different patterns (a misplaced slice shows). */
export const patterned = (config: BloomConfig): RemoteSlidingFilter => {
  const theirs = new SlidingBloomFilter(config)
  const { previous, current, next } = theirs.filters
  previous.bits.fill(0x11)
  current.bits.fill(0x22)
  next.bits.fill(0x48)
  return { n: config.n, p: config.p, previous, current, next }
}

export const revoked = (count: number, tag: string) =>
  Array.from({ length: count }, (_, i) => `jti-${tag}-${i}`)

/** A primary's filter, its store (as the revocation service's) and its followers. */
export function primary(config: BloomConfig, options: { sliceBytes?: number } = {}) {
  const filter = new SlidingBloomFilter(config)
  const followers = createFollowers(filter, options)
  const store = revocationStore(filter, 3600, followers)
  return {
    filter,
    followers,
    store,
    /** As the service's timer does. */
    slide: () => {
      filter.rotate()
      followers.rotate()
    },
    /**
     * A worker following it: forked and attached at once (its start copy begins when its HELLO
     * arrives). `onHello` runs in the primary's turn that reads the HELLO, before the primary
     * answers it; `check` are tokens the worker checks once it is ready. `sizes: false` leaves the
     * messages' sizes unmeasured (0): measuring is a structured clone of each in this thread.
     */
    fork: (options: { onHello?: () => void; check?: string[]; sizes?: boolean } = {}) => {
      const child = fork(helper, [JSON.stringify(config), JSON.stringify(options.check ?? [])], {
        serialization: 'advanced',
        stdio: 'inherit',
      })
      children.push(child)
      const sent: Sent[] = []
      let onSend: (message: Outgoing) => Promise<void> | undefined | void = () => {}
      let held: Array<() => void> | undefined
      const send = child.send.bind(child) as (
        message: unknown,
        callback?: (error: Error | null) => void,
      ) => boolean
      child.send = ((message: Outgoing, callback?: (error: Error | null) => void) => {
        sent.push({
          type: message.type,
          bytes: options.sizes === false ? 0 : serialize(message).length,
          filter: message.filter,
          offset: message.offset,
        })
        // Held messages go later, in the order they were sent (the callback, which the primary's
        // next slice waits for, with them). A promise from onSend holds back the callback alone.
        let later: Promise<void> | undefined | void
        const written =
          callback &&
          ((error: Error | null) => (later ? void later.then(() => callback(error)) : callback(error)))
        if (held) held.push(() => send(message, written))
        else send(message, written)
        later = onSend(message)
        return true
      }) as ChildProcess['send']
      const reply = <T>(type: string) =>
        new Promise<T>((resolve, reject) => {
          const on = (message: { type?: string }) => {
            if (message?.type !== type) return
            child.off('message', on)
            child.off('exit', exited)
            resolve(message as T)
          }
          const exited = (code: number | null) => reject(new Error(`the worker exited (${code})`))
          child.on('message', on)
          child.once('exit', exited)
        })
      const ready = reply<Ready>('test:ready')
      let isReady = false
      void ready.then(
        () => {
          isReady = true
        },
        () => {},
      )
      const { onHello } = options
      if (onHello)
        child.on('message', (message: { type?: string }) => {
          if (message?.type === 'gwdeploy:revoker:hello') onHello()
        })
      followers.attach(child as unknown as Worker)
      return {
        child,
        /** Every message the primary sent it, in order. */
        sent,
        /**
         * Called with each message the primary sends it, once sent (or held); when it returns a
         * promise, the primary hears that the message is written only once that resolves.
         */
        onSend: (f: typeof onSend) => {
          onSend = f
        },
        ready,
        isReady: () => isReady,
        /** Holds the primary's messages to it from now until `release` is called. */
        hold: () => {
          held = []
          return () => {
            const queued = held ?? []
            held = undefined
            for (const go of queued) go()
          }
        },
        /** Before it is ready: the slices it has read, and whether followPrimary resolved. */
        progress: () => {
          const answer = reply<{ slices: number; ready: boolean }>('test:progress')
          send({ type: 'test:progress' })
          return answer
        },
        /** The worker refuses these from now on; its longest stall is measured from now. */
        watch: async (elems: string[]) => {
          const watching = reply('test:watching')
          send({ type: 'test:watch', elems })
          await watching
          sent.length = 0
        },
        report: async (check: string[] = []) => {
          const answer = reply<Report>('test:report')
          send({ type: 'test:report', check })
          return answer
        },
        close: () => child.kill('SIGKILL'),
      }
    },
  }
}

/** A primary and one worker that has its start copy. */
export async function primaryWithWorker(config: BloomConfig, options: { sliceBytes?: number } = {}) {
  const node = primary(config, options)
  const worker = node.fork()
  await worker.ready
  return { ...node, ...worker }
}
