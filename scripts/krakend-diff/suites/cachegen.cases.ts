// Seeded sequences of requests for cachegen.config.ts (SEED=, N= as the config's): each endpoint's
// requests in order, endpoints interleaved, with Authorization, Cookie, Accept, Accept-Encoding,
// X-User, Cache-Control / Pragma request directives and reordered or repeated query strings; a
// pause now and then where an answer lives three seconds. The recording backend answers /cgb/SID with
// the plan's n-th answer for that gateway's n-th call (the last one repeats): Cache-Control,
// Expires, Date (now, two hours ago, none, bad), Age, Vary, ETag / Last-Modified with 304s,
// Set-Cookie, statuses 200/203/301/404/500, chunked or not, padded bodies; the call count is in
// the body.
import type { IncomingMessage } from 'node:http'
import { gzipSync } from 'node:zlib'
import { type Answer, hooks } from '../backend.ts'
import type { Case } from '../run.ts'
import { type BackendPlan, plan, type Reply, random } from './cachegen.plan.ts'

const backends = new Map<string, BackendPlan>()
for (const e of plan) for (const b of e.backends) if (!backends.has(b.sid)) backends.set(b.sid, b)
const calls = new Map<string, number>()
// Expires from the run's start, whole seconds: the same value whichever gateway calls when.
const start = Math.floor(Date.now() / 1000) * 1000

function answer(req: IncomingMessage, phase: string): Answer | undefined {
  const path = new URL(req.url ?? '/', 'http://x').pathname
  if (!path.startsWith('/cgb/')) return undefined
  const sid = path.slice(5)
  const target = sid.endsWith('.r')
  const b = backends.get(target ? sid.slice(0, -2) : sid)
  if (!b) return [404, {}, 'no such script']
  const n = calls.get(`${phase} ${sid}`) ?? 0
  calls.set(`${phase} ${sid}`, n + 1)
  const list = target ? b.target : b.replies
  const r = list[Math.min(n, list.length - 1)] as Reply
  const headers: Record<string, string | string[]> = { ...r.headers, 'X-Call': String(n) }
  const now = Date.now()
  if (r.date !== 'now')
    headers.Date = { past: new Date(now - 7200e3).toUTCString(), none: '', bad: '2006-01-02' }[r.date]
  const expires = headers.Expires
  if (expires === '+3600' || expires === '-3600')
    headers.Expires = new Date(start + Number(expires) * 1000).toUTCString()
  const etag = headers.ETag
  const modified = headers['Last-Modified']
  if (
    r.revalidates &&
    ((etag !== undefined && req.headers['if-none-match'] === etag) ||
      (modified !== undefined && req.headers['if-modified-since'] === modified))
  ) {
    const head: Record<string, string | string[]> = { 'X-Call': String(n), 'X-Revalidated': 'yes' }
    for (const name of ['Cache-Control', 'ETag', 'Date', 'Expires'])
      if (headers[name] !== undefined) head[name] = headers[name] as string
    return [304, head]
  }
  if (r.status === 301) headers.Location = `/cgb/${b.sid}.r`
  const item = { sid, call: n, status: r.status, ...(r.pad > 0 ? { pad: 'x'.repeat(r.pad) } : {}) }
  let body: string | Buffer = JSON.stringify(b.collection ? [item] : item)
  if (r.gzip && /gzip/.test(String(req.headers['accept-encoding'] ?? ''))) {
    body = gzipSync(body)
    headers['Content-Encoding'] = 'gzip'
  }
  return [r.status, headers, body]
}
hooks.answer = answer

// ONLY=3,7 keeps the sequences of those endpoints (a difference re-run alone).
const only = process.env.ONLY?.split(',').map(Number)
const queues = plan.map((e, i) => (only && !only.includes(i) ? [] : [...e.requests]))
let pauses = 0
export const cases: Case[] = []
const add = (e: (typeof plan)[number], r: (typeof e.requests)[number], pause: boolean) =>
  cases.push({
    method: e.method,
    path: `${e.path}${r.query}`,
    headers: r.headers,
    ...(e.method === 'POST' ? { body: '{}' } : {}),
    ...(pause ? { pause: 3100 } : {}),
  })
for (;;) {
  const open = plan.map((_, i) => i).filter((i) => (queues[i] as unknown[]).length > 0)
  if (open.length === 0) break
  const i = random.pick(open)
  const e = plan[i] as (typeof plan)[number]
  const queue = queues[i] as typeof e.requests
  if (!e.short) {
    add(e, queue.shift() as (typeof queue)[number], false)
    continue
  }
  for (const [n, r] of queue.splice(0).entries()) {
    const pause = n > 0 && pauses < 4 && random.chance(0.3)
    if (pause) pauses += 1
    add(e, r, pause)
  }
}
