// A cluster worker's side of the revoker, alone in a child process (forked with the structured
// clone, as runtime.ts forks workers): follows the primary's filter and, for the slice tests,
// measures its event loop and checks watched tokens after every message from the primary.
//
//   fork(follower-process.ts, [JSON config, JSON tokens to check at start?], { serialization: 'advanced' })
//
// Sends {type: 'test:ready', slices, sha256, rotations, checks} once followPrimary resolves (the
// slices it had then, its filter's digests, the given tokens' checks): where a worker would start
// serving. Before that it answers {type: 'test:progress'} with {type: 'test:progress', slices,
// ready}; after, {type: 'test:watch', elems} (tokens it must refuse from then on; the longest stall
// is measured from then on too) and {type: 'test:report', check?} with {type: 'test:report',
// maxStallMs, maxBusyMs, ticksWhileSliced, messages, misses, sha256, rotations, checks}.
import { createHash } from 'node:crypto'
import { type BloomConfig, SlidingBloomFilter } from '../../../src/gateway/revoker/bloom-filter.ts'
import { followPrimary } from '../../../src/gateway/revoker/cluster.ts'
import { loopMeter } from './loop-meter.ts'

const utf8 = new TextEncoder()
const filter = new SlidingBloomFilter(JSON.parse(process.argv[2] as string) as BloomConfig)
const checkAtStart = JSON.parse(process.argv[3] ?? '[]') as string[]
const digests = () =>
  Object.fromEntries(
    (['previous', 'current', 'next'] as const).map((which) => [
      which,
      createHash('sha256').update(filter.filters[which].bits).digest('hex'),
    ]),
  )

// Registered before followPrimary's listener: sees each message before it is applied.
let slicesBeforeReady = 0
let ready = false
const progress = (message: { type?: string }) => {
  if (message?.type === 'gwdeploy:revoker:slice') slicesBeforeReady++
  else if (message?.type === 'test:progress')
    process.send?.({ type: 'test:progress', slices: slicesBeforeReady, ready })
}
process.on('message', progress)
await followPrimary(filter)
ready = true
process.off('message', progress)
process.send?.({
  type: 'test:ready',
  slices: slicesBeforeReady,
  sha256: digests(),
  rotations: filter.rotations,
  checks: checkAtStart.map((e) => filter.check(utf8.encode(e))),
})

let watched: Uint8Array[] = []
let messages = 0
/** Watched tokens found missing after a message (each miss counted). */
let misses = 0
/** This thread's event loop, measured afresh from each `test:watch`. */
const meter = loopMeter()
/** Timer turns between the first and the last slice of a whole filter. */
let firstSliceTicks: number | undefined
let ticksWhileSliced = 0

// Registered after followPrimary's listener: runs once each message is applied.
process.on('message', (message: { type?: string; elems?: string[]; check?: string[] }) => {
  messages++
  if (message.type === 'gwdeploy:revoker:slice') {
    firstSliceTicks ??= meter.reading.ticks
    ticksWhileSliced = meter.reading.ticks - firstSliceTicks
  }
  for (const elem of watched) if (!filter.check(elem)) misses++
  if (message.type === 'test:watch') {
    watched = (message.elems ?? []).map((e) => utf8.encode(e))
    messages = 0
    misses = 0
    for (const elem of watched) if (!filter.check(elem)) misses++
    meter.reset()
    firstSliceTicks = undefined
    ticksWhileSliced = 0
    process.send?.({ type: 'test:watching' })
  } else if (message.type === 'test:report') {
    const sha256 = digests()
    process.send?.({
      type: 'test:report',
      maxStallMs: meter.reading.maxStallMs,
      maxBusyMs: meter.reading.maxBusyMs,
      ticksWhileSliced,
      messages,
      misses,
      sha256,
      rotations: filter.rotations,
      checks: (message.check ?? []).map((e) => filter.check(utf8.encode(e))),
    })
  }
})
process.on('disconnect', () => meter.stop())
