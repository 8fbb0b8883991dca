// Seeded request sequences for breakergen.config.ts (SEED=, N= as the config's, WINDOWS= how many
// rounds, 4 by default). Each round sends every endpoint a block of calls in order, each call naming
// how each of its backends answers (a status, a body that does not decode or unzip, a redirect, an
// array, a slow answer, a path its Lua or CEL check refuses, one the HTTP cache keeps), mostly
// failing or mostly succeeding per round. Between rounds the run pauses past every breaker's timeout
// and interval of 1-3 s, so the next round starts with the half-open trial or fresh counts; a block
// is short enough to end before any of its breakers' clocks runs out. Every answer and every backend
// request is compared, so a call one gateway lets through while the other's circuit is open shows as
// a backend line of one side only. Expected noise: where two backends fail, lura lists the errors in
// the order they arrive (the body's lines may come in another order).
import type { IncomingMessage } from 'node:http'
import { gzipSync } from 'node:zlib'
import { seededRandom } from '../../../test/gateway/fuzz-helpers.ts'
import { type Answer, hooks } from '../backend.ts'
import type { Case } from '../run.ts'
import { type PlannedBackend, type PlannedEndpoint, plan } from './breakergen.config.ts'

const { next: rnd, pick } = seededRandom(Number(process.env.SEED ?? 1) * 9301 + 49297)
const rounds = Number(process.env.WINDOWS ?? 4)

const JSON_TYPE = { 'Content-Type': 'application/json' }
const object = (o: string) => JSON.stringify({ o, v: 1, inner: { o, deep: true } })

/** The recording backend's answer to /bg-SPEC (the built-in /slow answers after 1.5 s). */
function answer(req: IncomingMessage): Answer | undefined {
  const path = new URL(req.url ?? '/', 'http://x').pathname
  if (!path.startsWith('/bg-')) return undefined
  const spec = path.slice(4)
  if (spec === 'cached') return [200, { ...JSON_TYPE, 'Cache-Control': 'max-age=3600' }, object(spec)]
  if (/^\d{3}$/.test(spec)) {
    const status = Number(spec)
    return [status, { ...JSON_TYPE, 'X-Spec': spec }, status === 204 ? undefined : object(spec)]
  }
  switch (spec) {
    case 'arr':
      return [
        200,
        JSON_TYPE,
        JSON.stringify([
          { o: 'arr', v: 1 },
          { o: 'arr', v: 2 },
        ]),
      ]
    case 'gz':
      return [200, { ...JSON_TYPE, 'Content-Encoding': 'gzip' }, gzipSync(object(spec))]
    case 'badgz':
      return [200, { ...JSON_TYPE, 'Content-Encoding': 'gzip' }, object(spec)]
    case 'redir':
      return [302, { Location: '/bg-500' }]
    case 'redirok':
      return [307, { Location: '/bg-200' }]
    case 'bad':
      return [200, JSON_TYPE, '{"o":"bad",']
    case 'text':
      return [200, { 'Content-Type': 'text/plain' }, 'plain words']
    case 'empty':
      return [200, JSON_TYPE, '']
    default:
      // lua, cel, celpost: a good answer, if the backend's check lets the call go out
      return [200, JSON_TYPE, object(spec)]
  }
}
hooks.answer = answer

const FAILURES = ['500', '500', '503', '404', '429', '204', 'bad', 'text', 'empty', 'badgz', 'redir']

function outcome(b: PlannedBackend, slowMs: number, fails: boolean): string {
  if (!fails)
    return b.collection ? 'bg-arr' : `bg-${pick(b.cached ? ['200', 'cached'] : ['200', '200', '201'])}`
  const kinds = [...FAILURES, b.collection ? '200' : 'arr']
  if (b.lua) kinds.push('lua', 'luapost')
  if (b.cel) kinds.push('cel', 'celpost')
  if (slowMs > 0) kinds.push('slow')
  const kind = pick(kinds)
  return kind === 'slow' ? 'slow' : `bg-${kind}`
}

/** A call's cost in the runner (both gateways, 30 ms after each), for keeping blocks inside clocks. */
const costMs = (path: string, slowMs: number) => 2 * (40 + (path.includes('/slow') ? slowMs : 10))

// An endpoint and its twin share one block (calls to either, in any order): same backends, same clock.
const groups: PlannedEndpoint[][] = []
for (const e of plan) {
  if (e.twin) groups.at(-1)?.push(e)
  else groups.push([e])
}
const clocks = plan.flatMap((e) => e.backends.map((b) => b.clock)).filter((c) => c > 0)
const pauseMs = clocks.length > 0 ? Math.max(...clocks) * 1000 + 800 : 0

export const cases: Case[] = []
for (let round = 0; round < rounds; round += 1) {
  let pause = pauseMs
  for (const group of groups) {
    const head = group[0] as PlannedEndpoint
    const clock = Math.min(...head.backends.map((b) => (b.clock > 0 ? b.clock : 1e6)))
    const budget = clock * 1000 * 0.55
    const failRate = pick([0, 0.5, 0.9, 1, 1])
    const length = 2 + Math.floor(rnd() * 7)
    let spent = 0
    for (let n = 0; n < length; n += 1) {
      const e = pick(group)
      const path = `/b${e.index}/${e.backends.map((b) => outcome(b, e.slowMs, rnd() < failRate)).join('/')}`
      const cost = costMs(path, e.slowMs)
      if (n > 0 && spent + cost > budget) break
      spent += cost
      cases.push({ path, ...(pause > 0 ? { pause } : {}) })
      pause = 0
    }
  }
}
